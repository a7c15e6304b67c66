import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "warren_session";
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export interface Session {
  sub: "operator";
  /** Expiry, epoch seconds. */
  exp: number;
}

const b64 = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/** The cookie-signing key: explicit, or derived from the password so a new password ends old sessions. */
export function sessionSecret(password: string, explicit?: string): string {
  return explicit ?? createHash("sha256").update(`warren-session:${password}`).digest("hex");
}

export function signSession(session: Session, secret: string): string {
  const payload = b64(JSON.stringify(session));
  const mac = createHmac("sha256", secret).update(payload).digest("base64url");
  return `${payload}.${mac}`;
}

export function verifySession(
  token: string | undefined,
  secret: string,
  nowSeconds = Date.now() / 1000,
): Session | null {
  if (!token) return null;
  const [payload, mac, extra] = token.split(".");
  if (!payload || !mac || extra !== undefined) return null;
  const expected = createHmac("sha256", secret).update(payload).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const session = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Session;
    if (session.sub !== "operator" || typeof session.exp !== "number" || session.exp < nowSeconds) return null;
    return session;
  } catch {
    return null;
  }
}

/** Constant-time password check (hashing first makes the lengths equal). */
export function passwordMatches(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
