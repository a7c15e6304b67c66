import "server-only";
import type { Env } from "../config/env";
import { env } from "../config/env";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { logFor } from "../process/log";
import type { Role, SessionRow, SessionWithUser } from "../store/accounts";
import type { AccountsStore, WarrenStore } from "../store/store";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password";
import { isWellFormedToken, newSessionToken, sessionIdOf } from "./session";
import { SignInLimits } from "./sign-in-limits";

export type { Role, SessionRow } from "../store/accounts";

/** The first admin's name when it comes from WARREN_ADMIN_PASSWORD. */
export const ENV_ADMIN = "admin";
/** last_seen_at is written at most this often per session: a page with many requests costs one write. */
const TOUCH_EVERY_MS = 30_000;

interface Accounts {
  store: AccountsStore;
  limits: SignInLimits;
  /** The first admin from WARREN_ADMIN_PASSWORD, made (or re-keyed) once per process before the first use. */
  envAdmin: Promise<void> | null;
}

/**
 * The accounts of the process's store (SQLite file or PostgreSQL: every web process of
 * one database shares users and sessions), with the sign-in limits (counted in the same
 * store: every web process of the database counts one guesser's attempts together).
 * Kept on the store object itself: route handlers and server actions may load this
 * module in separate module graphs; one SignInLimits per store keeps one warning timer.
 */
const ACCOUNTS = Symbol.for("warren.accounts");

async function accounts(): Promise<Accounts> {
  const store = currentWarren().store as WarrenStore & { [ACCOUNTS]?: Accounts };
  let held = store[ACCOUNTS];
  if (!held) {
    const limits = new SignInLimits({ store: store.limits, log: logFor("auth") });
    held = { store: store.accounts, limits, envAdmin: null };
    store[ACCOUNTS] = held;
  }
  const ready = held;
  // A failed attempt (database down) is tried again on the next call.
  ready.envAdmin ??= ensureEnvAdmin(ready.store, env()).catch((error) => {
    ready.envAdmin = null;
    throw error;
  });
  await ready.envAdmin;
  return ready;
}

export const accountStore = async (): Promise<AccountsStore> => (await accounts()).store;

/**
 * Today's setup keeps working: WARREN_ADMIN_PASSWORD makes (or, when it
 * changed, re-keys) an admin named "admin". A new password ends that admin's
 * sessions, as it did when the password signed the cookies. Several web
 * processes starting together on one database: one adds the admin, the others
 * find it (addUser gives null for a taken name).
 */
export async function ensureEnvAdmin(store: AccountsStore, config: Pick<Env, "WARREN_ADMIN_PASSWORD">): Promise<void> {
  const password = config.WARREN_ADMIN_PASSWORD;
  if (!password) return;
  const existing = await store.userByName(ENV_ADMIN);
  if (!existing) {
    await store.addUser(ENV_ADMIN, "admin", await hashPassword(password), "env");
  } else if (existing.source === "env" && !(await verifyPassword(password, existing.passwordHash))) {
    await store.setPassword(existing.id, await hashPassword(password));
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
  const { store, limits } = await accounts();
  const verdict = await limits.attempt(meta.client, name);
  if (!verdict.allowed) return { ok: false, reason: "limited", retryAfterS: verdict.retryAfterS, scope: verdict.scope };
  const user = await store.userByName(name);
  // Verify against a dummy hash for unknown names: the answer takes as long either way.
  const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || user.disabled || !matches) return { ok: false, reason: "wrong" };
  await limits.succeeded(meta.client, name);
  // Sessions past the absolute timeout can never be used again: forget them now and then.
  await store.pruneSessions(Date.now() - env().WARREN_SESSION_MAX_S * 1000);
  const token = newSessionToken();
  await store.createSession({
    id: sessionIdOf(token),
    userId: user.id,
    createdAt: Date.now(),
    client: meta.client.slice(0, 100),
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { ok: true, signedIn: { token, user: { id: user.id, name: user.name, role: user.role } } };
}

/** The live session of a cookie's token, or null (unknown, revoked, idle too long, too old, user disabled). */
export async function sessionOf(token: string | undefined, now = Date.now()): Promise<SessionWithUser | null> {
  if (!isWellFormedToken(token)) return null;
  const { store } = await accounts();
  const session = await store.sessionWithUser(sessionIdOf(token));
  if (!session || !isSessionLive(session, now, env())) return null;
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) await store.touchSession(session.id, now);
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

export async function signOut(token: string | undefined): Promise<void> {
  if (isWellFormedToken(token)) await (await accounts()).store.revokeSession(sessionIdOf(token));
}

export async function signInAvailable(): Promise<boolean> {
  return (await (await accounts()).store.countEnabledUsers()) > 0;
}

export async function sessionsOfUser(userId: number): Promise<SessionRow[]> {
  return (await accounts()).store.sessionsOf(userId);
}

/** Revokes a session by its id; only its owner or an admin may (checked by the caller's role). */
export async function revokeSessionOf(actor: { id: number; role: Role }, sessionId: string): Promise<void> {
  const { store } = await accounts();
  const target = await store.sessionWithUser(sessionId);
  if (!target || target.revokedAt !== null) throw new WarrenError("not_found", "There is no such live session.");
  if (target.userId !== actor.id && actor.role !== "admin") {
    throw new WarrenError("forbidden", "Only an admin may end another person's session.");
  }
  await store.revokeSession(sessionId);
}
