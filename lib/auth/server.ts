import "server-only";
import { cookies } from "next/headers";
import { env } from "../config/env";
import { type Access, accessFor } from "./access";
import { SESSION_COOKIE } from "./session";

/** Access for the current server component or server action. */
export async function currentAccess(): Promise<Access> {
  const jar = await cookies();
  return accessFor(jar.get(SESSION_COOKIE)?.value, env());
}
