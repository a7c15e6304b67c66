import "server-only";
import { cookies } from "next/headers";
import { env } from "../config/env";
import { type Access, accessFor } from "./access";
import { sessionOf, signInAvailable } from "./accounts";
import { sessionTokenFromCookieHeader } from "./cookies";
import { SESSION_COOKIE } from "./session";

async function accessOfToken(token: string | undefined): Promise<Access> {
  const [session, signInEnabled] = await Promise.all([sessionOf(token), signInAvailable()]);
  return accessFor(session, { WARREN_READ_ONLY: env().WARREN_READ_ONLY, signInEnabled });
}

/** Access for the current server component or server action, re-read from the session on every call. */
export async function currentAccess(): Promise<Access> {
  const jar = await cookies();
  return accessOfToken(jar.get(SESSION_COOKIE)?.value);
}

/** The same for a route handler. */
export function requestAccess(request: Request): Promise<Access> {
  return accessOfToken(sessionTokenFromCookieHeader(request.headers.get("cookie")));
}
