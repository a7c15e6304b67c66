"use server";

import { actorOf } from "@/lib/audit";
import { type DeadLetterActionInput, type DryRunInput, dryRun, operate, summarize } from "@/lib/deadletters/operate";
import type { ActResult, DryRunResult } from "@/lib/deadletters/workbench";
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

export interface DryRunActionState extends ActionState {
  result?: DryRunResult;
}

/** What a redrive of the selection would do now; publishes nothing. Operators only, as the redrive. */
export async function dryRunAction(input: DryRunInput): Promise<DryRunActionState> {
  try {
    const context = await actionContext();
    denyUnlessOperator(context, "dead-letters", null);
    const result = await dryRun(input);
    const counts = new Map<string, number>();
    for (const p of result.predictions) counts.set(p.prediction.kind, (counts.get(p.prediction.kind) ?? 0) + 1);
    const summary = [...counts].map(([kind, n]) => `${n} ${kind}`).join(", ") || "nothing selected found";
    return { status: "ok", message: `Dry run (nothing sent): ${summary}.`, result, at: Date.now() };
  } catch (error) {
    return errorState(error, "The dry run");
  }
}
