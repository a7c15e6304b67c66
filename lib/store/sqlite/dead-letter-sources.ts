import type { Db } from "../db";
import type { DeadLetterSource } from "../store";

interface SourceRow {
  reason_group: string;
  app_id: string | null;
  user_id: string | null;
  count: number;
  first_at: number;
  last_at: number;
  last_minute: number;
  last_hour: number;
}

export const sourceOf = (r: SourceRow): DeadLetterSource => ({
  group: r.reason_group,
  appId: r.app_id,
  userId: r.user_id,
  count: Number(r.count),
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
  lastMinute: Number(r.last_minute),
  lastHour: Number(r.last_hour),
});

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
