import { createHash, randomBytes } from "node:crypto";

/**
 * Session cookies carry an opaque random token; the server keeps the session
 * (table `sessions`, keyed by the token's hash) so it can be listed, revoked
 * and timed out. Two sign-ins never share a token.
 */
export const SESSION_COOKIE = "warren_session";

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The row id of a token: its hash, so the database alone cannot be replayed as cookies. */
export function sessionIdOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A token as Warren issues them: 43 base64url characters. Anything else is no session. */
export function isWellFormedToken(token: string | undefined): token is string {
  return typeof token === "string" && /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** A short, non-secret handle for a session in lists (not enough to use it). */
export function sessionHandle(id: string): string {
  return id.slice(0, 12);
}
