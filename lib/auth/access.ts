import type { Env } from "../config/env";
import { WarrenError } from "../errors";
import { SESSION_COOKIE, sessionSecret, verifySession } from "./session";

export interface Access {
  role: "operator" | "viewer";
  /** Whether operator actions may run for this request. */
  canAct: boolean;
  /** Why actions are off, in words a person can act on; null when they are on. */
  reason: string | null;
  /** Whether signing in is possible at all. */
  signInEnabled: boolean;
}

type AuthConfig = Pick<Env, "WARREN_ADMIN_PASSWORD" | "WARREN_SESSION_SECRET" | "WARREN_READ_ONLY">;

/** Decides what a session token allows. Every action calls this on the server. */
export function accessFor(token: string | undefined, config: AuthConfig): Access {
  const password = config.WARREN_ADMIN_PASSWORD;
  const session = password ? verifySession(token, sessionSecret(password, config.WARREN_SESSION_SECRET)) : null;
  const role = session ? "operator" : "viewer";
  if (config.WARREN_READ_ONLY) {
    return {
      role,
      canAct: false,
      signInEnabled: Boolean(password),
      reason: "Warren runs read-only (WARREN_READ_ONLY=1): all actions are off.",
    };
  }
  if (!password) {
    return {
      role: "viewer",
      canAct: false,
      signInEnabled: false,
      reason: "Actions are disabled: set WARREN_ADMIN_PASSWORD (8+ characters) and restart to enable operator sign-in.",
    };
  }
  if (!session) return { role, canAct: false, signInEnabled: true, reason: "Sign in as an operator to use actions." };
  return { role, canAct: true, signInEnabled: true, reason: null };
}

/** Throws 401 (sign in first) or 403 (actions are off) unless the access allows actions. */
export function assertCanAct(access: Access): void {
  if (access.canAct) return;
  const code =
    access.signInEnabled && access.role === "viewer" && access.reason?.startsWith("Sign in")
      ? "unauthorized"
      : "forbidden";
  throw new WarrenError(code, access.reason ?? "Not allowed.");
}

/** Reads the session cookie from a raw Cookie header (route handlers). */
export function sessionTokenFromCookieHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}
