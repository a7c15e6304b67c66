import "server-only";
import { cookies } from "next/headers";
import { sessionTokenFromCookieHeader } from "../auth/access";
import { accessFromRequest, currentAccess } from "../auth/server";
import { SESSION_COOKIE } from "../auth/session";
import type { ActionContext } from "./operations";

/** Who is calling a server action, re-read from the cookie on every call. */
export async function actionContext(): Promise<ActionContext> {
  const jar = await cookies();
  return { access: await currentAccess(), sessionToken: jar.get(SESSION_COOKIE)?.value };
}

/** The same for a JSON route handler. */
export function requestContext(request: Request): ActionContext {
  return {
    access: accessFromRequest(request),
    sessionToken: sessionTokenFromCookieHeader(request.headers.get("cookie")),
  };
}
