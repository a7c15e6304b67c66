import type { Pool } from "pg";
import type { LeadershipStore } from "../store";
import { DB_NOW } from "./clock";

/**
 * Leadership leases on PostgreSQL: the same single upsert as on SQLite. Two processes racing for a
 * free role meet at its primary key; the second one's ON CONFLICT sees the first one's fresh row,
 * whose holder is not its own and whose lease has not expired, and changes nothing.
 *
 * The processes may run on several machines, whose clocks may disagree: a lease is granted, renewed
 * and judged expired by the database's clock, never the caller's `at` (a machine whose clock runs a
 * minute ahead would otherwise take a lease that is still running). `until` is in the database's
 * clock; the caller counts its lease from its own `at`, taken before the call, so it believes it
 * leads a little less long than the row says (the round trip), never longer.
 */
export class PgLeadership implements LeadershipStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async acquire(role: string, holder: string, _at: number, ttlMs: number): Promise<boolean> {
    await this.ready();
    // EXCLUDED.until - ttl is the database's "now" of this statement: one clock reading for both.
    const result = await this.pool.query(
      `INSERT INTO leaders (role, holder, until) VALUES ($1, $2, ${DB_NOW} + $3::bigint)
       ON CONFLICT (role) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
       WHERE leaders.holder = EXCLUDED.holder OR leaders.until <= EXCLUDED.until - $3::bigint`,
      [role, holder, ttlMs],
    );
    return result.rowCount === 1;
  }

  async release(role: string, holder: string): Promise<void> {
    await this.ready();
    await this.pool.query("DELETE FROM leaders WHERE role = $1 AND holder = $2", [role, holder]);
  }

  async current(role: string): Promise<{ holder: string; until: number } | null> {
    await this.ready();
    const { rows } = await this.pool.query<{ holder: string; until: number }>(
      "SELECT holder, until FROM leaders WHERE role = $1",
      [role],
    );
    return rows[0] ?? null;
  }
}
