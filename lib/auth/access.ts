import type { Env } from "../config/env";
import { WarrenError } from "../errors";
import type { Role } from "../store/accounts";

export type { Role } from "../store/accounts";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface Access {
  /** The signed-in person, or null for an anonymous visitor (who may look, as a viewer). */
  user: { id: number; name: string; role: Role } | null;
  /** The server-side session's id (hash of the cookie's token), when signed in. */
  sessionId: string | null;
  /** Coarse, for the UI: "operator" when queue and dead-letter actions may run (operator or admin). */
  role: "operator" | "viewer";
  /** Whether operator actions may run for this request. */
  canAct: boolean;
  /** Why actions are off, in words a person can act on; null when they are on. */
  reason: string | null;
  /** Whether signing in is possible at all (some enabled account exists). */
  signInEnabled: boolean;
}

type AuthConfig = Pick<Env, "WARREN_READ_ONLY">;

export interface SessionLike {
  id: string;
  user: { id: number; name: string; role: Role };
}

/** A refusal: its code (401 sign in / 403 not allowed) is decided here, never from its text. */
export function refusalFor(
  user: Access["user"],
  need: Role,
  config: AuthConfig & { signInEnabled: boolean },
): WarrenError | null {
  if (need !== "admin" && config.WARREN_READ_ONLY) {
    return new WarrenError("forbidden", "Warren runs read-only (WARREN_READ_ONLY=1): all actions are off.");
  }
  if (!user) {
    if (!config.signInEnabled) {
      return new WarrenError(
        "forbidden",
        "Actions are disabled: set WARREN_ADMIN_PASSWORD (8+ characters) or add a user with `npm run user -- add`, then sign in.",
      );
    }
    return new WarrenError(
      "unauthorized",
      `Sign in as ${need === "admin" ? "an admin" : "an operator"} to use actions.`,
    );
  }
  if (RANK[user.role] < RANK[need]) {
    return new WarrenError("forbidden", `Your role (${user.role}) may not do this; it needs ${need}.`);
  }
  return null;
}

/** Decides what a request's session allows. Every action checks it on the server. */
export function accessFor(session: SessionLike | null, config: AuthConfig & { signInEnabled: boolean }): Access {
  const user = session ? { id: session.user.id, name: session.user.name, role: session.user.role } : null;
  const refusal = refusalFor(user, "operator", config);
  return {
    user,
    sessionId: session?.id ?? null,
    role: user && RANK[user.role] >= RANK.operator ? "operator" : "viewer",
    canAct: refusal === null,
    reason: refusal?.message ?? null,
    signInEnabled: config.signInEnabled,
  };
}

/** Throws the typed refusal (401 or 403) unless the access holds the role. */
export function requireRole(access: Access, need: Role, config: AuthConfig): void {
  const refusal = refusalFor(access.user, need, { ...config, signInEnabled: access.signInEnabled });
  if (refusal) throw refusal;
}

export function hasRole(access: Access, need: Role): boolean {
  return access.user !== null && RANK[access.user.role] >= RANK[need];
}

/** Throws 401 (sign in first) or 403 (not allowed) unless queue and dead-letter actions may run. */
export function assertCanAct(access: Access): void {
  if (access.canAct) return;
  throw (
    refusalFor(access.user, "operator", { WARREN_READ_ONLY: false, signInEnabled: access.signInEnabled }) ??
    new WarrenError("forbidden", access.reason ?? "Not allowed.")
  );
}
