"use server";

import { closeConnection, closeConnectionSchema } from "@/lib/broker-admin/close-connection";
import { isWarrenError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/http/issues";
import { log } from "@/lib/process/log";
import { actionContext } from "@/lib/queues/action-context";

export interface CloseState {
  status: "idle" | "ok" | "error";
  message: string;
  fieldErrors?: Record<string, string[]>;
  code?: number;
  at?: number;
}

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

/** Closes a client connection with the operator's reason; refusals and failures come back as state. */
export async function closeConnectionAction(_previous: CloseState, formData: FormData): Promise<CloseState> {
  const parsed = closeConnectionSchema.safeParse({ name: text(formData, "name"), reason: text(formData, "reason") });
  if (!parsed.success) {
    return {
      status: "error",
      message: "Nothing was closed.",
      fieldErrors: fieldErrorsOf(parsed.error),
      at: Date.now(),
    };
  }
  try {
    await closeConnection(await actionContext(), parsed.data.name, parsed.data.reason);
    return { status: "ok", message: `Closed, with the reason "${parsed.data.reason}".`, at: Date.now() };
  } catch (error) {
    if (isWarrenError(error)) return { status: "error", message: error.message, code: error.status, at: Date.now() };
    log(`[connections] unexpected error closing a connection: ${(error as Error).stack ?? error}`);
    return { status: "error", message: "Close failed unexpectedly; see the server log.", code: 500, at: Date.now() };
  }
}
