import type { Db } from "../db";
import type { PipelineState, PipelineStore } from "../store";

interface StateRow {
  queue: string;
  paused: number;
  prefetch: number | null;
  version: number;
  updated_at: number;
  updated_by: string | null;
}

const toState = (row: StateRow): PipelineState => ({
  queue: row.queue,
  paused: row.paused === 1,
  prefetch: row.prefetch,
  version: row.version,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/** The stored pause/resume/prefetch on SQLite (table `pipeline_state`, migration 9). */
export function sqlitePipeline(db: Db): PipelineStore {
  const select = db.prepare<[string], StateRow>("SELECT * FROM pipeline_state WHERE queue = ?");
  // One statement: two processes changing it at once each bump the version once.
  const upsert = db.prepare<
    [{ queue: string; paused: number | null; prefetch: number | null; at: number; by: string | null }],
    StateRow
  >(
    `INSERT INTO pipeline_state (queue, paused, prefetch, version, updated_at, updated_by)
     VALUES (@queue, COALESCE(@paused, 0), @prefetch, 1, @at, @by)
     ON CONFLICT (queue) DO UPDATE SET
       paused = COALESCE(@paused, paused), prefetch = COALESCE(@prefetch, prefetch),
       version = version + 1, updated_at = @at, updated_by = @by
     RETURNING *`,
  );
  return {
    read: async (queue) => {
      const row = select.get(queue);
      return row ? toState(row) : null;
    },
    write: async (queue, change, meta) => {
      const paused = change.paused === undefined ? null : change.paused ? 1 : 0;
      const row = upsert.get({
        queue,
        paused,
        prefetch: change.prefetch ?? null,
        at: meta.at,
        by: meta.by,
      }) as StateRow;
      return toState(row);
    },
  };
}
