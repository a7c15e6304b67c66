import "server-only";
import type { Env } from "../config/env";
import { env } from "../config/env";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { AccountStore, type Role, type SessionRow, type SessionWithUser } from "../store/accounts";
import type { Db } from "../store/db";
import { DUMMY_HASH, hashPasswordSync, verifyPassword, verifyPasswordSync } from "./password";
import { isWellFormedToken, newSessionToken, sessionIdOf } from "./session";
import { SignInLimits } from "./sign-in-limits";

export type { Role, SessionRow } from "../store/accounts";

/** The first admin's name when it comes from WARREN_ADMIN_PASSWORD. */
export const ENV_ADMIN = "admin";
/** last_seen_at is written at most this often per session: a page with many requests costs one write. */
const TOUCH_EVERY_MS = 30_000;

interface Accounts {
  store: AccountStore;
  limits: SignInLimits;
}

/**
 * The accounts of the process's database, with the sign-in limits (in memory).
 * Kept on the database handle itself: route handlers and server actions may
 * load this module in separate module graphs, and two limiters would let a
 * guesser try twice as often.
 */
const ACCOUNTS = Symbol.for("warren.accounts");

function accounts(): Accounts {
  const db = currentWarren().db as Db & { [ACCOUNTS]?: Accounts };
  if (!db[ACCOUNTS]) {
    const store = new AccountStore(db);
    ensureEnvAdmin(store, env());
    db[ACCOUNTS] = { store, limits: new SignInLimits() };
  }
  return db[ACCOUNTS];
}

export const accountStore = () => accounts().store;

/**
 * Today's setup keeps working: WARREN_ADMIN_PASSWORD makes (or, when it
 * changed, re-keys) an admin named "admin". A new password ends that admin's
 * sessions, as it did when the password signed the cookies.
 */
export function ensureEnvAdmin(store: AccountStore, config: Pick<Env, "WARREN_ADMIN_PASSWORD">): void {
  const password = config.WARREN_ADMIN_PASSWORD;
  if (!password) return;
  const existing = store.userByName(ENV_ADMIN);
  if (!existing) {
    store.addUser(ENV_ADMIN, "admin", hashPasswordSync(password), "env");
  } else if (existing.source === "env" && !verifyPasswordSync(password, existing.passwordHash)) {
    store.setPassword(existing.id, hashPasswordSync(password));
  }
}

export interface SignedIn {
  token: string;
  user: { id: number; name: string; role: Role };
}

export type SignInOutcome =
  | { ok: true; signedIn: SignedIn }
  | { ok: false; reason: "wrong" | "limited"; retryAfterS?: number; scope?: "client" | "account" };

/** Checks a name and password under the guessing limits; on success opens a new server-side session. */
export async function signIn(
  name: string,
  password: string,
  meta: { client: string; userAgent: string | null },
): Promise<SignInOutcome> {
  const { store, limits } = accounts();
  const verdict = await limits.attempt(meta.client, name);
  if (!verdict.allowed) return { ok: false, reason: "limited", retryAfterS: verdict.retryAfterS, scope: verdict.scope };
  const user = store.userByName(name);
  // Verify against a dummy hash for unknown names: the answer takes as long either way.
  const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || user.disabled || !matches) return { ok: false, reason: "wrong" };
  await limits.succeeded(meta.client, name);
  // Sessions past the absolute timeout can never be used again: forget them now and then.
  store.pruneSessions(Date.now() - env().WARREN_SESSION_MAX_S * 1000);
  const token = newSessionToken();
  store.createSession({
    id: sessionIdOf(token),
    userId: user.id,
    createdAt: Date.now(),
    client: meta.client.slice(0, 100),
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { ok: true, signedIn: { token, user: { id: user.id, name: user.name, role: user.role } } };
}

/** The live session of a cookie's token, or null (unknown, revoked, idle too long, too old, user disabled). */
export function sessionOf(token: string | undefined, now = Date.now()): SessionWithUser | null {
  if (!isWellFormedToken(token)) return null;
  const { store } = accounts();
  const session = store.sessionWithUser(sessionIdOf(token));
  if (!session || !isSessionLive(session, now, env())) return null;
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) store.touchSession(session.id, now);
  return session;
}

/** Not revoked, its user enabled, used within the idle timeout, younger than the absolute one. */
export function isSessionLive(
  session: Pick<SessionWithUser, "revokedAt" | "createdAt" | "lastSeenAt"> & { user: { disabled: boolean } },
  now: number,
  config: Pick<Env, "WARREN_SESSION_IDLE_S" | "WARREN_SESSION_MAX_S">,
): boolean {
  if (session.revokedAt !== null || session.user.disabled) return false;
  if (now - session.createdAt > config.WARREN_SESSION_MAX_S * 1000) return false;
  return now - session.lastSeenAt <= config.WARREN_SESSION_IDLE_S * 1000;
}

export function signOut(token: string | undefined): void {
  if (isWellFormedToken(token)) accounts().store.revokeSession(sessionIdOf(token));
}

export function signInAvailable(): boolean {
  return accounts().store.countEnabledUsers() > 0;
}

export function sessionsOfUser(userId: number): SessionRow[] {
  return accounts().store.sessionsOf(userId);
}

/** Revokes a session by its id; only its owner or an admin may (checked by the caller's role). */
export function revokeSessionOf(actor: { id: number; role: Role }, sessionId: string): void {
  const { store } = accounts();
  const target = store.sessionWithUser(sessionId);
  if (!target || target.revokedAt !== null) throw new WarrenError("not_found", "There is no such live session.");
  if (target.userId !== actor.id && actor.role !== "admin") {
    throw new WarrenError("forbidden", "Only an admin may end another person's session.");
  }
  store.revokeSession(sessionId);
}
