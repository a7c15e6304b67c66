import type { Db } from "../db";
import type { LeadershipStore } from "../store";

/**
 * Leadership leases on SQLite. One upsert decides: it inserts a free role, or overwrites a row that
 * is this holder's or has expired; any other row stays and the statement changes nothing.
 */
export function sqliteLeadership(db: Db): LeadershipStore {
  const acquire = db.prepare<[{ role: string; holder: string; until: number; at: number }]>(
    `INSERT INTO leaders (role, holder, until) VALUES (@role, @holder, @until)
     ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, until = excluded.until
     WHERE leaders.holder = excluded.holder OR leaders.until <= @at`,
  );
  const release = db.prepare<[string, string]>("DELETE FROM leaders WHERE role = ? AND holder = ?");
  const current = db.prepare<[string], { holder: string; until: number }>(
    "SELECT holder, until FROM leaders WHERE role = ?",
  );
  return {
    acquire: async (role, holder, at, ttlMs) => acquire.run({ role, holder, until: at + ttlMs, at }).changes === 1,
    release: async (role, holder) => {
      release.run(role, holder);
    },
    current: async (role) => current.get(role) ?? null,
  };
}
