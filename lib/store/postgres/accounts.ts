import type { Pool } from "pg";
import type { Role, SessionRow, SessionWithUser, UserRow } from "../accounts";
import { type RawSession, type RawSessionWithUser, type RawUser, toSession, toSessionWithUser, toUser } from "../rows";
import type { AccountsStore } from "../store";
import { inTransaction } from "./tx";

const REVOKE_USER = "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";

/**
 * Accounts and server-side sessions on PostgreSQL (migration 9): a session made by one
 * web process is found by every other, and a sign-out anywhere ends it everywhere.
 */
export class PgAccounts implements AccountsStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  private async query<R extends object>(sql: string, params: unknown[] = []) {
    await this.ready();
    return this.pool.query<R>(sql, params);
  }

  async userByName(name: string): Promise<UserRow | null> {
    const { rows } = await this.query<RawUser>("SELECT * FROM users WHERE lower(name) = lower($1)", [name]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async userById(id: number): Promise<UserRow | null> {
    const { rows } = await this.query<RawUser>("SELECT * FROM users WHERE id = $1", [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async users(): Promise<UserRow[]> {
    // COLLATE "C": the same order as SQLite's (byte order), whatever the database's collation.
    const { rows } = await this.query<RawUser>('SELECT * FROM users ORDER BY lower(name) COLLATE "C"');
    return rows.map(toUser);
  }

  async countEnabledUsers(): Promise<number> {
    const { rows } = await this.query<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE NOT disabled");
    return rows[0]?.n ?? 0;
  }

  async addUser(
    name: string,
    role: Role,
    passwordHash: string,
    source: "env" | "cli",
    now = Date.now(),
  ): Promise<UserRow | null> {
    // Two web processes making the first admin at once: one inserts, the other gets null.
    const { rows } = await this.query<RawUser>(
      `INSERT INTO users (name, role, password_hash, source, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING *`,
      [name, role, passwordHash, source, now],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async setPassword(userId: number, passwordHash: string, now = Date.now()): Promise<void> {
    await this.ready();
    await inTransaction(this.pool, async (client) => {
      await client.query("UPDATE users SET password_hash = $1 WHERE id = $2", [passwordHash, userId]);
      await client.query(REVOKE_USER, [now, userId]);
    });
  }

  async setRole(userId: number, role: Role): Promise<void> {
    await this.query("UPDATE users SET role = $1 WHERE id = $2", [role, userId]);
  }

  async setDisabled(userId: number, disabled: boolean, now = Date.now()): Promise<void> {
    await this.ready();
    await inTransaction(this.pool, async (client) => {
      await client.query("UPDATE users SET disabled = $1 WHERE id = $2", [disabled, userId]);
      if (disabled) await client.query(REVOKE_USER, [now, userId]);
    });
  }

  async createSession(session: Omit<SessionRow, "revokedAt" | "lastSeenAt">): Promise<void> {
    await this.query(
      `INSERT INTO sessions (id, user_id, created_at, last_seen_at, client, user_agent)
       VALUES ($1, $2, $3, $3, $4, $5)`,
      [session.id, session.userId, session.createdAt, session.client, session.userAgent],
    );
  }

  async sessionWithUser(id: string): Promise<SessionWithUser | null> {
    const { rows } = await this.query<RawSessionWithUser>(
      "SELECT s.*, u.name, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
      [id],
    );
    return rows[0] ? toSessionWithUser(rows[0]) : null;
  }

  async touchSession(id: string, now = Date.now()): Promise<void> {
    await this.query("UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2", [now, id]);
  }

  async sessionsOf(userId: number): Promise<SessionRow[]> {
    const { rows } = await this.query<RawSession>(
      "SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
      [userId],
    );
    return rows.map(toSession);
  }

  async revokeSession(id: string, now = Date.now()): Promise<boolean> {
    const result = await this.query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [
      now,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async revokeUserSessions(userId: number, now = Date.now()): Promise<number> {
    const result = await this.query(REVOKE_USER, [now, userId]);
    return result.rowCount ?? 0;
  }

  async pruneSessions(before: number): Promise<number> {
    const result = await this.query(
      "DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at < $1) OR last_seen_at < $1",
      [before],
    );
    return result.rowCount ?? 0;
  }
}
