import type { Pool } from "pg";
import type { PipelineState, PipelineStore } from "../store";

interface StateRow {
  queue: string;
  paused: boolean;
  prefetch: number | null;
  version: number;
  updated_at: number;
  updated_by: string | null;
}

const toState = (row: StateRow): PipelineState => ({
  queue: row.queue,
  paused: row.paused,
  prefetch: row.prefetch,
  version: row.version,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/** The stored pause/resume/prefetch on PostgreSQL (table `pipeline_state`, migration 9). */
export class PgPipeline implements PipelineStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async read(queue: string): Promise<PipelineState | null> {
    await this.ready();
    const { rows } = await this.pool.query<StateRow>("SELECT * FROM pipeline_state WHERE queue = $1", [queue]);
    return rows[0] ? toState(rows[0]) : null;
  }

  async write(
    queue: string,
    change: { paused?: boolean; prefetch?: number },
    meta: { at: number; by: string | null },
  ): Promise<PipelineState> {
    await this.ready();
    // One statement (the row lock orders concurrent writers): each change bumps the version once.
    const { rows } = await this.pool.query<StateRow>(
      `INSERT INTO pipeline_state AS s (queue, paused, prefetch, version, updated_at, updated_by)
       VALUES ($1, COALESCE($2::boolean, FALSE), $3::integer, 1, $4, $5)
       ON CONFLICT (queue) DO UPDATE SET
         paused = COALESCE($2::boolean, s.paused), prefetch = COALESCE($3::integer, s.prefetch),
         version = s.version + 1, updated_at = $4, updated_by = $5
       RETURNING *`,
      [queue, change.paused ?? null, change.prefetch ?? null, meta.at, meta.by],
    );
    return toState(rows[0] as StateRow);
  }
}
