import type { Db } from "../db";
import { rollupPlan } from "../history-rollup";
import { type BucketRow, countsByResolution, droppedQueues, historySql, recordParams, toBucket } from "../history-sql";
import type { HistoryStore } from "../store";

/** $n placeholders as better-sqlite3 named parameters @pN. */
const named = (sql: string) => sql.replace(/\$(\d+)/g, "@p$1");
const bind = (values: unknown[]) => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

/** The queue history on SQLite (the SQL is shared with PostgreSQL: lib/store/history-sql.ts). */
export function sqliteHistory(db: Db): HistoryStore {
  const record = db.prepare(named(historySql.record));
  const rollup = db.prepare(named(historySql.rollup));
  const deleteOlder = db.prepare(named(historySql.deleteOlder));
  const read = db.prepare<[Record<string, unknown>], BucketRow>(named(historySql.read));
  const track = db.prepare(named(historySql.track));
  const viewed = db.prepare<[], { queue: string }>(historySql.viewed);
  const tracked = db.prepare<[], { queue: string }>(historySql.tracked);
  const forget = historySql.forget.map((sql) => db.prepare(named(sql)));
  const countAll = db.prepare<[], { resolution: number; n: number }>(historySql.counts(false));
  const countOne = db.prepare<[Record<string, unknown>], { resolution: number; n: number }>(
    named(historySql.counts(true)),
  );

  return {
    record: async (samples, resolutionMs) =>
      db.transaction(() => {
        let written = 0;
        for (const sample of samples) written += record.run(bind(recordParams(sample, resolutionMs))).changes;
        return written;
      })(),
    rollup: async (at, tiers) => {
      let rolled = 0;
      let deleted = 0;
      for (const step of rollupPlan(at, tiers)) {
        db.transaction(() => {
          if (step.into !== null) rollup.run(bind([step.into, step.from, step.cutoff]));
          const gone = deleteOlder.run(bind([step.from, step.cutoff])).changes;
          if (step.into !== null) rolled += gone;
          else deleted += gone;
        })();
      }
      return { rolled, deleted };
    },
    read: async (queue, from, to, stepMs) => read.all(bind([queue, stepMs, from, to])).map(toBucket),
    track: async (queue, at, { pinned, maxViewed }) =>
      db.transaction(() => {
        track.run(bind([queue, pinned ? 1 : 0, at]));
        const dropped = droppedQueues(viewed.all(), maxViewed);
        for (const name of dropped) for (const statement of forget) statement.run(bind([name]));
        return dropped;
      })(),
    tracked: async () => tracked.all().map((row) => row.queue),
    rowCounts: async (queue) => {
      const rows = queue === undefined ? countAll.all() : countOne.all(bind([queue]));
      return countsByResolution(rows);
    },
  };
}
