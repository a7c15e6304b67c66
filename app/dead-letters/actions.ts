"use server";

import { requireOperator } from "@/lib/auth/server";
import { type DeadLetterActionInput, operate, summarize } from "@/lib/deadletters/operate";
import type { ActResult } from "@/lib/deadletters/workbench";
import { isWarrenError } from "@/lib/errors";
import { log } from "@/lib/runtime";

export interface DeadLetterActionState {
  ok: boolean;
  message: string;
  result?: ActResult;
  /** The HTTP-like status of a refusal (400 bad input, 401/403 not allowed, 404 unknown queue, 503 broker). */
  status?: number;
}

/** Redrive or discard dead letters. Re-checks authorization on the server; every attempt is audited. */
export async function deadLetterAction(input: DeadLetterActionInput): Promise<DeadLetterActionState> {
  try {
    await requireOperator();
    const result = await operate(input);
    const acted = result.redriven.length + result.discarded.length;
    return {
      ok: acted > 0 || (result.failed.length === 0 && result.missing.length === 0),
      message: summarize(result),
      result,
    };
  } catch (error) {
    if (isWarrenError(error)) return { ok: false, message: error.message, status: error.status };
    log(`[dead-letters] unexpected error: ${(error as Error).stack ?? error}`);
    return { ok: false, message: "The action failed; unhandled messages stay in the DLQ.", status: 500 };
  }
}
