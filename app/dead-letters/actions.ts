"use server";

import { z } from "zod";
import { recordAudit } from "@/lib/audit/log";
import { requireOperator } from "@/lib/auth/server";
import { MAX_SHOWN_BODY } from "@/lib/deadletters/decode";
import { discoverDeadLetterQueues } from "@/lib/deadletters/discover";
import { type ActResult, actOnDeadLetters } from "@/lib/deadletters/workbench";
import { isWarrenError } from "@/lib/errors";
import { describeIssues } from "@/lib/orders/schema";
import { getRuntime, log } from "@/lib/runtime";

const id = z.string().regex(/^[0-9a-f]{20}$/, "not a dead-letter id");

const inputSchema = z
  .object({
    queue: z.string().min(1).max(255),
    action: z.enum(["redrive", "discard"]),
    selection: z.union([
      z.object({ ids: z.array(id).min(1, "select at least one message").max(10_000) }),
      z.object({ all: z.literal(true), group: z.string().max(200).optional() }),
    ]),
    edit: z.object({ id, body: z.string().max(MAX_SHOWN_BODY, `at most ${MAX_SHOWN_BODY} bytes`) }).optional(),
    /** The confirm step: a discard destroys messages and must say so explicitly. */
    confirmed: z.boolean().optional(),
  })
  .refine((input) => input.action !== "discard" || input.confirmed === true, {
    message: "A discard needs confirmation.",
    path: ["confirmed"],
  });

export type DeadLetterActionInput = z.input<typeof inputSchema>;

export interface DeadLetterActionState {
  ok: boolean;
  message: string;
  result?: ActResult;
  /** The HTTP-like status of a refusal (400 bad input, 401/403 not allowed, 404 unknown queue, 503 broker). */
  status?: number;
}

function summary(result: ActResult): string {
  const parts: string[] = [];
  if (result.action === "redrive") parts.push(`${result.redriven.length} redriven`);
  else parts.push(`${result.discarded.length} discarded`);
  if (result.failed.length) parts.push(`${result.failed.length} failed (${result.failed[0]?.error})`);
  if (result.missing.length) parts.push(`${result.missing.length} no longer in the queue (handled elsewhere?)`);
  return `${parts.join(", ")}.`;
}

/** Redrive or discard dead letters. Re-checks authorization on the server and records every attempt. */
export async function deadLetterAction(raw: DeadLetterActionInput): Promise<DeadLetterActionState> {
  try {
    await requireOperator();
  } catch (error) {
    if (isWarrenError(error)) return { ok: false, message: error.message, status: error.status };
    throw error;
  }
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error), status: 400 };
  const input = parsed.data;
  const runtime = getRuntime();
  const target = input.queue;
  const audit = (result: "ok" | "error" | "partial", detail: unknown) =>
    recordAudit({ actor: "operator", action: `dead-letters.${input.action}`, target, result, detail });
  try {
    const discovery = await discoverDeadLetterQueues({
      orderQueue: runtime.env.ORDER_QUEUE,
      managementUrl: runtime.env.RABBITMQ_MANAGEMENT_URL,
      amqpUrl: runtime.env.AMQP_URL,
    });
    if (!discovery.queues.some((q) => q.name === input.queue)) {
      audit("error", { reason: "not a known dead-letter queue" });
      return { ok: false, message: `"${input.queue}" is not a dead-letter queue Warren knows.`, status: 404 };
    }
    const result = await actOnDeadLetters(runtime.consumeLink.current(), runtime.publisher, {
      dlq: input.queue,
      action: input.action,
      selection: input.selection,
      edit: input.edit,
    });
    const acted = result.redriven.length + result.discarded.length;
    const outcome = result.failed.length || result.missing.length ? (acted ? "partial" : "error") : "ok";
    audit(outcome, {
      selection: "all" in input.selection ? { all: true, group: input.selection.group } : { ids: input.selection.ids },
      redriven: result.redriven.map((r) => ({ messageId: r.messageId, queue: r.queue, edited: r.edited })),
      discarded: result.discarded.length,
      failed: result.failed,
      missing: result.missing.length,
    });
    return { ok: acted > 0 || outcome === "ok", message: summary(result), result };
  } catch (error) {
    if (isWarrenError(error)) {
      audit("error", { error: error.message });
      return { ok: false, message: error.message, status: error.status };
    }
    log(`[dead-letters] unexpected error: ${(error as Error).stack ?? error}`);
    audit("error", { error: "internal error" });
    return {
      ok: false,
      message: "The action failed; nothing was lost (unhandled messages stay in the DLQ).",
      status: 500,
    };
  }
}
