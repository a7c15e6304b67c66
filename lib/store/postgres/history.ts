import type { Pool } from "pg";
import { rollupPlan } from "../history-rollup";
import { type BucketRow, countsByResolution, droppedQueues, historySql, recordParams, toBucket } from "../history-sql";
import type { HistorySample, HistoryStore, HistoryTier } from "../store";
import { inTransaction } from "./tx";

/** The queue history on PostgreSQL (the SQL is shared with SQLite: lib/store/history-sql.ts). */
export class PgHistory implements HistoryStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async record(samples: HistorySample[], resolutionMs: number): Promise<number> {
    await this.ready();
    if (samples.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      let written = 0;
      for (const sample of samples)
        written += (await client.query(historySql.record, recordParams(sample, resolutionMs))).rowCount ?? 0;
      return written;
    });
  }

  async rollup(at: number, tiers: HistoryTier[]): Promise<{ rolled: number; deleted: number }> {
    await this.ready();
    let rolled = 0;
    let deleted = 0;
    for (const step of rollupPlan(at, tiers)) {
      const gone = await inTransaction(this.pool, async (client) => {
        // Two leaders overlapping for a moment (a lease taken over mid-rollup) must not merge the same
        // rows twice: READ COMMITTED would let the second INSERT … SELECT see them again after the first.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('warren.history.rollup'))");
        if (step.into !== null) await client.query(historySql.rollup, [step.into, step.from, step.cutoff]);
        return (await client.query(historySql.deleteOlder, [step.from, step.cutoff])).rowCount ?? 0;
      });
      if (step.into !== null) rolled += gone;
      else deleted += gone;
    }
    return { rolled, deleted };
  }

  async read(queue: string, from: number, to: number, stepMs: number) {
    await this.ready();
    const { rows } = await this.pool.query<BucketRow>(historySql.read, [queue, stepMs, from, to]);
    return rows.map(toBucket);
  }

  async track(queue: string, at: number, { pinned, maxViewed }: { pinned: boolean; maxViewed: number }) {
    await this.ready();
    return inTransaction(this.pool, async (client) => {
      await client.query(historySql.track, [queue, pinned ? 1 : 0, at]);
      const { rows } = await client.query<{ queue: string }>(historySql.viewed);
      const dropped = droppedQueues(rows, maxViewed);
      for (const name of dropped) for (const sql of historySql.forget) await client.query(sql, [name]);
      return dropped;
    });
  }

  async tracked(): Promise<string[]> {
    await this.ready();
    const { rows } = await this.pool.query<{ queue: string }>(historySql.tracked);
    return rows.map((row) => row.queue);
  }

  async rowCounts(queue?: string): Promise<Record<number, number>> {
    await this.ready();
    const { rows } = await this.pool.query<{ resolution: number; n: number }>(
      historySql.counts(queue !== undefined),
      queue === undefined ? [] : [queue],
    );
    return countsByResolution(rows);
  }
}
