import "server-only";
import { recordAudit } from "../audit";
import { env } from "../config/env";
import { WarrenError } from "../errors";
import { type SignedIn, signIn } from "./accounts";
import { SESSION_COOKIE } from "./session";

/**
 * Sign-in as both doors (the form's action and POST /api/session) do it:
 * limits, audit of every outcome (refusals coalesced), a typed refusal.
 */
export async function attemptSignIn(input: {
  name: string;
  password: string;
  client: string;
  userAgent: string | null;
}): Promise<SignedIn> {
  const outcome = await signIn(input.name, input.password, { client: input.client, userAgent: input.userAgent });
  const where = { client: input.client };
  if (!outcome.ok) {
    const limited = outcome.reason === "limited";
    recordAudit(
      {
        actor: input.name.slice(0, 100),
        action: "auth.sign-in",
        result: "denied",
        message: limited
          ? `too many attempts (per ${outcome.scope}); refused for ${outcome.retryAfterS}s`
          : "wrong name or password",
      },
      where,
    );
    if (limited) {
      throw WarrenError.tooManyRequests(
        `Too many sign-in attempts; try again in ${outcome.retryAfterS} s.`,
        outcome.retryAfterS ?? 60,
      );
    }
    throw new WarrenError("unauthorized", "Wrong name or password.");
  }
  recordAudit({ actor: outcome.signedIn.user.name, action: "auth.sign-in", result: "ok", message: "signed in" }, where);
  return outcome.signedIn;
}

export function sessionCookie(token: string, secure: boolean) {
  return {
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: env().WARREN_SESSION_MAX_S,
  };
}
