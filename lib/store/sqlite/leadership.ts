import type { Db } from "../db";
import type { LeadershipStore } from "../store";

/**
 * Takes or renews a lease: inserts a free role, or overwrites a row that is this holder's or has
 * expired; any other row stays and the statement changes nothing. Shared with the checkpoint worker
 * (checkpoint-worker.mjs, which cannot import TypeScript), which gets the text through its workerData.
 */
export const ACQUIRE_LEASE_SQL = `INSERT INTO leaders (role, holder, until) VALUES (@role, @holder, @until)
     ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, until = excluded.until
     WHERE leaders.holder = excluded.holder OR leaders.until <= @at`;
export const RELEASE_LEASE_SQL = "DELETE FROM leaders WHERE role = ? AND holder = ?";
export const CURRENT_LEASE_SQL = "SELECT holder, until FROM leaders WHERE role = ?";

/** Leadership leases on SQLite: one upsert decides (ACQUIRE_LEASE_SQL). */
export function sqliteLeadership(db: Db): LeadershipStore {
  const acquire = db.prepare<[{ role: string; holder: string; until: number; at: number }]>(ACQUIRE_LEASE_SQL);
  const release = db.prepare<[string, string]>(RELEASE_LEASE_SQL);
  const current = db.prepare<[string], { holder: string; until: number }>(CURRENT_LEASE_SQL);
  return {
    acquire: async (role, holder, at, ttlMs) => acquire.run({ role, holder, until: at + ttlMs, at }).changes === 1,
    release: async (role, holder) => {
      release.run(role, holder);
    },
    current: async (role) => current.get(role) ?? null,
  };
}
