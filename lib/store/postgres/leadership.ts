import type { Pool } from "pg";
import type { LeadershipStore } from "../store";

/**
 * Leadership leases on PostgreSQL: the same single upsert as on SQLite. Two processes racing for a
 * free role meet at its primary key; the second one's ON CONFLICT sees the first one's fresh row,
 * whose holder is not its own and whose lease has not expired, and changes nothing.
 */
export class PgLeadership implements LeadershipStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async acquire(role: string, holder: string, at: number, ttlMs: number): Promise<boolean> {
    await this.ready();
    const result = await this.pool.query(
      `INSERT INTO leaders (role, holder, until) VALUES ($1, $2, $3)
       ON CONFLICT (role) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
       WHERE leaders.holder = EXCLUDED.holder OR leaders.until <= $4`,
      [role, holder, at + ttlMs, at],
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
