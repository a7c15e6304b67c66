import type { Db } from "../db";
import { type SourceRow, sourceOf } from "../rows";

/** "Who sends bad messages" reads on SQLite (rows written by Ledger.recordDeadLetter). */
export function sqliteDeadLetterSources(db: Db) {
  // The totals are one row per group and producer; only the last hour's rows are scanned (index on `at`).
  const sources = db.prepare<[number, number, number], SourceRow>(
    `SELECT p.reason_group, NULLIF(p.app_id, '') AS app_id, NULLIF(p.user_id, '') AS user_id, p.count,
            p.first_at, p.last_at, COALESCE(r.last_minute, 0) AS last_minute, COALESCE(r.last_hour, 0) AS last_hour
       FROM dead_letter_producers p
       LEFT JOIN (SELECT reason_group, COALESCE(app_id, '') AS app_id, COALESCE(user_id, '') AS user_id,
                         SUM(at >= ?) AS last_minute, COUNT(*) AS last_hour
                    FROM dead_letter_sources WHERE at >= ?
                   GROUP BY 1, 2, 3) r
         ON r.reason_group = p.reason_group AND r.app_id = p.app_id AND r.user_id = p.user_id
      ORDER BY p.last_at DESC LIMIT ?`,
  );
  const since = db.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM dead_letter_sources WHERE at >= ?");
  const prune = db.prepare<[number]>("DELETE FROM dead_letter_sources WHERE at < ?");
  return {
    sources: (window: { minuteAgo: number; hourAgo: number }, limit: number) =>
      sources.all(window.minuteAgo, window.hourAgo, limit).map(sourceOf),
    since: (from: number) => since.get(from)?.n ?? 0,
    prune: (before: number) => prune.run(before).changes,
  };
}
