import "server-only";
import { cookies } from "next/headers";
import { env } from "../config/env";
import { type Access, accessFor, assertCanAct, sessionTokenFromCookieHeader } from "./access";
import { SESSION_COOKIE } from "./session";

/** Access for the current server component or server action. */
export async function currentAccess(): Promise<Access> {
  const jar = await cookies();
  return accessFor(jar.get(SESSION_COOKIE)?.value, env());
}

/** For server actions: throws a WarrenError (401/403) unless an operator may act. */
export async function requireOperator(): Promise<Access> {
  const access = await currentAccess();
  assertCanAct(access);
  return access;
}

/** For route handlers. */
export function accessFromRequest(request: Request): Access {
  return accessFor(sessionTokenFromCookieHeader(request.headers.get("cookie")), env());
}

export function requireOperatorForRequest(request: Request): Access {
  const access = accessFromRequest(request);
  assertCanAct(access);
  return access;
}
