import "server-only";
import { cookies } from "next/headers";
import { accessFor, sessionTokenFromCookieHeader } from "../auth/access";
import { SESSION_COOKIE } from "../auth/session";
import { env } from "../config/env";
import type { ActionContext } from "./operations";

/** Who is calling a server action, re-read from the cookie on every call. */
export async function actionContext(): Promise<ActionContext> {
  const jar = await cookies();
  const sessionToken = jar.get(SESSION_COOKIE)?.value;
  return { access: accessFor(sessionToken, env()), sessionToken };
}

/** The same for a JSON route handler (the cookie is read once, for the access and the audit's actor). */
export function requestContext(request: Request): ActionContext {
  const sessionToken = sessionTokenFromCookieHeader(request.headers.get("cookie"));
  return { access: accessFor(sessionToken, env()), sessionToken };
}
