import "server-only";
import { headers } from "next/headers";
import { currentAccess } from "../auth/server";
import { clientAddress } from "../http/client-address";
import type { ActionContext } from "./operations";

/** Who is calling a server action, re-read from the session on every call. */
export async function actionContext(): Promise<ActionContext> {
  const [access, h] = await Promise.all([currentAccess(), headers()]);
  return { access, client: clientAddress(h) };
}
