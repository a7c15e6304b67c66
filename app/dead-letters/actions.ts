"use server";

import { actorOf } from "@/lib/audit";
import { type DeadLetterActionInput, operate, summarize } from "@/lib/deadletters/operate";
import type { ActResult } from "@/lib/deadletters/workbench";
import { isWarrenError } from "@/lib/errors";
import { log } from "@/lib/process/log";
import { actionContext } from "@/lib/queues/action-context";
import { denyUnlessOperator } from "@/lib/queues/operations";

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
    const context = await actionContext();
    denyUnlessOperator(context, "dead-letters", null);
    const result = await operate(input, actorOf(context.access.role, context.sessionToken));
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
