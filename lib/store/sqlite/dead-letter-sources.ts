import type { Db } from "../db";
import { type SourceRow, sourceOf } from "../rows";

/** "Who sends bad messages" reads on SQLite (rows written by Ledger.recordDeadLetter). */
export function sqliteDeadLetterSources(db: Db) {
  const sources = db.prepare<[number, number, number], SourceRow>(
    `SELECT reason_group, app_id, user_id, COUNT(*) AS count, MIN(at) AS first_at, MAX(at) AS last_at,
            SUM(at >= ?) AS last_minute, SUM(at >= ?) AS last_hour
       FROM dead_letter_sources
      GROUP BY reason_group, app_id, user_id
      ORDER BY last_at DESC LIMIT ?`,
  );
  const since = db.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM dead_letter_sources WHERE at >= ?");
  return {
    sources: (window: { minuteAgo: number; hourAgo: number }, limit: number) =>
      sources.all(window.minuteAgo, window.hourAgo, limit).map(sourceOf),
    since: (from: number) => since.get(from)?.n ?? 0,
  };
}
