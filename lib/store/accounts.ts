import type { Db } from "./db";
import { type RawSession, type RawSessionWithUser, type RawUser, toSession, toSessionWithUser, toUser } from "./rows";

/** Users and their server-side sessions (tables from migration 2; PostgreSQL: migration 9). */
export type Role = "viewer" | "operator" | "admin";

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  /** "env" for the first admin made from WARREN_ADMIN_PASSWORD, "cli" for `npm run user`. */
  source: "env" | "cli";
  createdAt: number;
}

export interface SessionRow {
  /** sha256 of the cookie's token: a leaked database does not hand out live cookies. */
  id: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
  client: string | null;
  userAgent: string | null;
}

export interface SessionWithUser extends SessionRow {
  user: Pick<UserRow, "id" | "name" | "role" | "disabled">;
}

export class AccountStore {
  constructor(readonly db: Db) {}

  userByName(name: string): UserRow | null {
    const row = this.db.prepare<[string], RawUser>("SELECT * FROM users WHERE name = ?").get(name);
    return row ? toUser(row) : null;
  }

  userById(id: number): UserRow | null {
    const row = this.db.prepare<[number], RawUser>("SELECT * FROM users WHERE id = ?").get(id);
    return row ? toUser(row) : null;
  }

  users(): UserRow[] {
    return this.db.prepare<[], RawUser>("SELECT * FROM users ORDER BY name").all().map(toUser);
  }

  countEnabledUsers(): number {
    return this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE disabled = 0").get()?.n ?? 0;
  }

  addUser(name: string, role: Role, passwordHash: string, source: "env" | "cli", now = Date.now()): UserRow {
    const info = this.db
      .prepare("INSERT INTO users (name, role, password_hash, source, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(name, role, passwordHash, source, now);
    return this.userById(Number(info.lastInsertRowid)) as UserRow;
  }

  setPassword(userId: number, passwordHash: string, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE users SET password_hash = ? WHERE id = ?").run(passwordHash, userId);
      this.revokeUserSessions(userId, now);
    })();
  }

  setRole(userId: number, role: Role): void {
    this.db.prepare("UPDATE users SET role = ? WHERE id = ?").run(role, userId);
  }

  setDisabled(userId: number, disabled: boolean, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE users SET disabled = ? WHERE id = ?").run(disabled ? 1 : 0, userId);
      if (disabled) this.revokeUserSessions(userId, now);
    })();
  }

  createSession(session: Omit<SessionRow, "revokedAt" | "lastSeenAt">): void {
    this.db
      .prepare(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, client, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(session.id, session.userId, session.createdAt, session.createdAt, session.client, session.userAgent);
  }

  sessionWithUser(id: string): SessionWithUser | null {
    const row = this.db
      .prepare<[string], RawSessionWithUser>(
        `SELECT s.*, u.name, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
      )
      .get(id);
    return row ? toSessionWithUser(row) : null;
  }

  touchSession(id: string, now = Date.now()): void {
    this.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?").run(now, id);
  }

  /** Live (not revoked) sessions of a user, newest first. */
  sessionsOf(userId: number): SessionRow[] {
    return this.db
      .prepare<[number], RawSession>(
        "SELECT * FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC",
      )
      .all(userId)
      .map(toSession);
  }

  /** Revokes one session; returns whether it was live. */
  revokeSession(id: string, now = Date.now()): boolean {
    return (
      this.db.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id).changes > 0
    );
  }

  revokeUserSessions(userId: number, now = Date.now()): number {
    return this.db
      .prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
      .run(now, userId).changes;
  }

  /** Forgets sessions that ended long ago, so the table does not grow without bound. */
  pruneSessions(before: number): number {
    return this.db
      .prepare("DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at < ?) OR last_seen_at < ?")
      .run(before, before).changes;
  }
}
