"use server";

import { actorOf } from "@/lib/audit";
import { type DeadLetterActionInput, operate, summarize } from "@/lib/deadletters/operate";
import type { ActResult } from "@/lib/deadletters/workbench";
import { type ActionState, errorState } from "@/lib/http/action";
import { actionContext } from "@/lib/queues/action-context";
import { denyUnlessOperator } from "@/lib/queues/operations";

export interface DeadLetterActionState extends ActionState {
  result?: ActResult;
}

/** Redrive or discard dead letters. Re-checks authorization on the server; every attempt is audited. */
export async function deadLetterAction(input: DeadLetterActionInput): Promise<DeadLetterActionState> {
  try {
    const context = await actionContext();
    denyUnlessOperator(context, "dead-letters", null);
    const result = await operate(input, actorOf(context.access));
    const acted = result.redriven.length + result.discarded.length;
    return {
      status: acted > 0 || (result.failed.length === 0 && result.missing.length === 0) ? "ok" : "error",
      message: summarize(result),
      result,
      at: Date.now(),
    };
  } catch (error) {
    return errorState(error, "The dead-letter action");
  }
}
