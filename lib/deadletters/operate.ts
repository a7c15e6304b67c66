import "server-only";
import { z } from "zod";
import { recordAudit } from "../audit";
import { WarrenError } from "../errors";
import { describeIssues } from "../orders/schema";
import { currentWarren } from "../process/current";
import { MAX_SHOWN_BODY } from "./decode";
import { type DeadLetterQueue, discoverDeadLetterQueues } from "./discover";
import {
  type ActResult,
  actOnDeadLetters,
  type BrowseResult,
  browseDeadLetters,
  type DryRunResult,
  dryRunDeadLetters,
} from "./workbench";

/** The one path behind the workbench's server action and the JSON API: validate, check the queue, act, audit. */
const id = z.string().regex(/^[0-9a-f]{20}$/, "not a dead-letter id");

export const deadLetterActionSchema = z
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
    message: "A discard needs confirmation (confirmed: true).",
    path: ["confirmed"],
  });

export type DeadLetterActionInput = z.input<typeof deadLetterActionSchema>;

export const dryRunSchema = z.object({
  queue: z.string().min(1).max(255),
  selection: z.union([
    z.object({ ids: z.array(id).min(1, "select at least one message").max(10_000) }),
    z.object({ all: z.literal(true), group: z.string().max(200).optional() }),
  ]),
  edit: z.object({ id, body: z.string().max(MAX_SHOWN_BODY, `at most ${MAX_SHOWN_BODY} bytes`) }).optional(),
});

export type DryRunInput = z.input<typeof dryRunSchema>;

/** What a redrive of the selection would do now; reads only (nothing published, acked or audited). */
export async function dryRun(raw: unknown): Promise<DryRunResult> {
  const parsed = dryRunSchema.safeParse(raw);
  if (!parsed.success) throw new WarrenError("bad_request", describeIssues(parsed.error));
  const input = parsed.data;
  await checkedQueue(input.queue);
  const runtime = currentWarren();
  return dryRunDeadLetters(runtime.consumeLink.current(), (ids) => runtime.store.payments.paidHashes(ids), {
    dlq: input.queue,
    selection: input.selection,
    edit: input.edit,
  });
}

export async function knownDeadLetterQueues() {
  const { env, management } = currentWarren();
  return discoverDeadLetterQueues({ orderQueue: env.ORDER_QUEUE, management });
}

async function checkedQueue(name: string): Promise<DeadLetterQueue> {
  const discovery = await knownDeadLetterQueues();
  const queue = discovery.queues.find((q) => q.name === name);
  if (!queue) throw new WarrenError("not_found", `"${name}" is not a dead-letter queue Warren knows.`);
  return queue;
}

export async function browse(queue: string, limit: number): Promise<BrowseResult> {
  await checkedQueue(queue);
  return readDeadLetters(queue, limit);
}

/** Reads a dead-letter queue the caller found through knownDeadLetterQueues(). */
export function readDeadLetters(queue: string, limit: number): Promise<BrowseResult> {
  return browseDeadLetters(currentWarren().consumeLink.current(), queue, limit);
}

export function summarize(result: ActResult): string {
  const parts: string[] = [];
  if (result.action === "redrive") parts.push(`${result.redriven.length} redriven`);
  else parts.push(`${result.discarded.length} discarded`);
  if (result.failed.length) parts.push(`${result.failed.length} failed (${result.failed[0]?.error})`);
  if (result.missing.length) parts.push(`${result.missing.length} no longer in the queue (handled elsewhere?)`);
  return `${parts.join(", ")}.`;
}

/**
 * Call only after the caller's authorization check passed (denyUnlessOperator, which audits
 * refusals); `actor` is who is acting, as the audit log names them. Throws WarrenError for
 * expected failures.
 */
export async function operate(raw: unknown, actor: string): Promise<ActResult> {
  const parsed = deadLetterActionSchema.safeParse(raw);
  if (!parsed.success) throw new WarrenError("bad_request", describeIssues(parsed.error));
  const input = parsed.data;
  const audit = (result: "ok" | "error" | "partial", details: Record<string, unknown>) =>
    recordAudit({ actor, action: `dead-letters.${input.action}`, target: input.queue, result, details });
  try {
    await checkedQueue(input.queue);
    const runtime = currentWarren();
    const result = await actOnDeadLetters(runtime.consumeLink.current(), runtime.publisher, {
      dlq: input.queue,
      action: input.action,
      selection: input.selection,
      edit: input.edit,
    });
    const acted = result.redriven.length + result.discarded.length;
    audit(result.failed.length || result.missing.length ? (acted ? "partial" : "error") : "ok", {
      selection: "all" in input.selection ? { all: true, group: input.selection.group } : { ids: input.selection.ids },
      redriven: result.redriven.map((r) => ({ messageId: r.messageId, queue: r.queue, edited: r.edited })),
      discarded: result.discarded.length,
      failed: result.failed,
      missing: result.missing.length,
    });
    return result;
  } catch (error) {
    audit("error", { error: error instanceof WarrenError ? error.message : "internal error" });
    throw error;
  }
}
