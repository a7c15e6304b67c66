import "server-only";
import { z } from "zod";
import { type AuditResult, actorOf, recordAudit } from "../audit";
import { WarrenError } from "../errors";
import { describeIssues } from "../orders/schema";
import { currentWarren } from "../process/current";
import { type ActionContext, denyUnlessOperator, queueNameSchema } from "../queues/operations";
import { exportMessages } from "./export";
import { FilterError, MAX_FILTER_LENGTH, parseFilter } from "./filter";
import { describeTarget, MAX_MOVE, MAX_RATE, type MoveEvent, type MoveTarget, moveMessages } from "./move";
import {
  assertFree,
  assertReadable,
  claimQueue,
  MAX_READ,
  openChannel,
  type QueueFacts,
  queueFacts,
  readingCost,
  type Selection,
} from "./read";
import { type SearchEvent, searchQueue } from "./search";

export { MESSAGE_COLUMNS } from "./export";
export { MAX_READ } from "./read";

/** Search, move/copy and export of a queue's messages: validate, check access, refuse what would harm, audit. */

const confirmConsumers = z.boolean().optional();
const filterText = z.string().max(MAX_FILTER_LENGTH, `a filter is at most ${MAX_FILTER_LENGTH} characters`);
const ids = z
  .array(z.string().regex(/^[0-9a-f]{20}$/, "not a message id"))
  .min(1, "select at least one message")
  .max(10_000);

const selectionSchema = z.union([
  z.object({ all: z.literal(true) }),
  z.object({ ids }),
  z.object({ filter: filterText }),
  z.object({ group: z.string().min(1).max(200) }),
]);

export const searchSchema = z.object({
  filter: filterText.default(""),
  limit: z.coerce.number().int().min(1).max(MAX_READ, `read at most ${MAX_READ} messages`).default(1000),
  confirmConsumers,
});

export const moveSchema = z.object({
  mode: z.enum(["move", "copy"]),
  target: z.union([
    z.object({ queue: queueNameSchema }),
    z.object({ exchange: z.string().max(255), routingKey: z.string().max(255) }),
  ]),
  selection: selectionSchema,
  limit: z.coerce.number().int().min(1).max(MAX_MOVE, `move at most ${MAX_MOVE} messages at once`).default(10_000),
  rate: z.coerce.number().int().min(1).max(MAX_RATE, `at most ${MAX_RATE} messages a second`).default(1000),
  confirmConsumers,
  /** The confirm dialog's answer: a move changes two queues. */
  confirmed: z.literal(true, { message: "A move or copy needs confirmation (confirmed: true)." }),
});

export const exportSchema = z.object({
  format: z.enum(["jsonl", "csv"]),
  selection: selectionSchema,
  limit: z.coerce.number().int().min(1).max(MAX_READ, `read at most ${MAX_READ} messages`).default(MAX_READ),
  confirmConsumers,
});

function parsed<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new WarrenError("bad_request", describeIssues(result.error));
  return result.data;
}

function selectionOf(raw: z.infer<typeof selectionSchema>): Selection {
  if ("filter" in raw) {
    try {
      return { filter: parseFilter(raw.filter) };
    } catch (error) {
      if (error instanceof FilterError) throw new WarrenError("bad_request", `filter: ${error.message}`);
      throw error;
    }
  }
  return raw;
}

function describeSelection(selection: z.infer<typeof selectionSchema>): Record<string, unknown> {
  if ("ids" in selection) return { ids: selection.ids.length };
  return selection;
}

/** The facts a page shows before anyone reads: depth, consumers, queue type, and what reading costs there. */
export async function readFacts(queue: string): Promise<QueueFacts & { cost: string }> {
  const { consumeLink, management } = currentWarren();
  const facts = await queueFacts(
    consumeLink.current(),
    queue,
    async () => (await management.queueDetail(queue)) as Record<string, unknown> | null,
  );
  return { ...facts, cost: readingCost(facts) };
}

/**
 * Claims the queue when the run starts (a response cancelled before its first read never starts
 * the generator, so a claim taken earlier would never be released) and audits once, however it ends.
 */
async function* guarded<E>(
  queue: string,
  run: AsyncGenerator<E>,
  audit: (last: E | null, failed: string | null) => void,
): AsyncGenerator<E> {
  let last: E | null = null;
  let failed: string | null = null;
  let release: (() => void) | null = null;
  try {
    release = claimQueue(queue);
    for await (const event of run) {
      last = event;
      yield event;
    }
  } catch (error) {
    failed = error instanceof WarrenError ? error.message : "unexpected error";
    throw error;
  } finally {
    await run.return(undefined as never).catch(() => {});
    if (release) {
      release();
      audit(last, failed);
    }
  }
}

async function prepare(context: ActionContext, action: string, queue: string, confirmed: boolean | undefined) {
  denyUnlessOperator(context, action, queue);
  const facts = await readFacts(queue);
  try {
    assertReadable(facts, confirmed === true);
  } catch (error) {
    recordAudit(
      { actor: actorOf(context.access), action, target: queue, result: "denied", message: (error as Error).message },
      { client: context.client },
    );
    throw error;
  }
  return facts;
}

function auditor(context: ActionContext, action: string, queue: string, details: Record<string, unknown>) {
  return (result: AuditResult, message: string, more: Record<string, unknown>) =>
    recordAudit(
      { actor: actorOf(context.access), action, target: queue, result, message, details: { ...details, ...more } },
      { client: context.client },
    );
}

/** Validates and starts a search; the generator streams progress and matches. */
export async function startSearch(
  context: ActionContext,
  queue: string,
  raw: unknown,
  signal: AbortSignal,
): Promise<AsyncGenerator<SearchEvent>> {
  denyUnlessOperator(context, "queue.search", queue);
  const input = parsed(searchSchema, raw);
  const selection = selectionOf({ filter: input.filter });
  if (!("filter" in selection)) throw new Error("unreachable");
  const facts = await prepare(context, "queue.search", queue, input.confirmConsumers);
  assertFree(queue);
  const log = auditor(context, "queue.search", queue, { filter: input.filter, limit: input.limit });
  return guarded(
    queue,
    searchQueue(currentWarren().consumeLink.current(), queue, {
      filter: selection.filter,
      limit: input.limit,
      depth: facts.depth,
      signal,
    }),
    (last, failed) => {
      if (failed) return log("error", failed, {});
      const done = last?.type === "done" ? last : null;
      log(
        "ok",
        done
          ? `read ${done.read}, ${done.matched} matched${done.cancelled ? " (cancelled)" : ""}; all requeued`
          : "stopped early (client left); all requeued",
        done ? { read: done.read, matched: done.matched, cancelled: done.cancelled } : { cancelled: true },
      );
    },
  );
}

async function assertTarget(queue: string, target: MoveTarget): Promise<void> {
  // The default exchange routes a key straight to the queue of that name: the source again.
  if (
    ("queue" in target && target.queue === queue) ||
    ("exchange" in target && target.exchange === "" && target.routingKey === queue)
  ) {
    throw new WarrenError("bad_request", "The target is the source queue: choose another queue or exchange.");
  }
  const probe = await openChannel(currentWarren().publishLink.current());
  try {
    if ("queue" in target) await probe.checkQueue(target.queue);
    else if (target.exchange !== "") await probe.checkExchange(target.exchange);
  } catch {
    throw new WarrenError("not_found", `The target ${describeTarget(target)} does not exist; nothing was moved.`);
  } finally {
    await probe.close().catch(() => {});
  }
}

export async function startMove(
  context: ActionContext,
  queue: string,
  raw: unknown,
  signal: AbortSignal,
): Promise<AsyncGenerator<MoveEvent>> {
  denyUnlessOperator(context, "queue.move", queue);
  const input = parsed(moveSchema, raw);
  const action = `queue.${input.mode}`;
  const selection = selectionOf(input.selection);
  const facts = await prepare(context, action, queue, input.confirmConsumers);
  await assertTarget(queue, input.target);
  assertFree(queue);
  const to = describeTarget(input.target);
  const log = auditor(context, action, queue, {
    from: queue,
    to,
    selection: describeSelection(input.selection),
    limit: input.limit,
    rate: input.rate,
  });
  const runtime = currentWarren();
  return guarded(
    queue,
    moveMessages(runtime.consumeLink.current(), runtime.publisher, queue, {
      mode: input.mode,
      target: input.target,
      selection,
      limit: input.limit,
      ratePerSecond: input.rate,
      depth: facts.depth,
      signal,
    }),
    (last, failed) => {
      const counts = last && last.type !== "start" ? last : null;
      const done = counts?.done ?? 0;
      const lost = counts?.failed ?? 0;
      const verb = input.mode === "move" ? "moved" : "copied";
      const result: AuditResult = failed ? "error" : lost > 0 ? (done > 0 ? "partial" : "error") : "ok";
      const cancelled = last?.type === "done" ? last.cancelled : true;
      log(
        result,
        `${verb} ${done} to ${to}${lost ? `, ${lost} failed (left in ${queue})` : ""}${cancelled ? " (cancelled)" : ""}${failed ? `: ${failed}` : ""}`,
        { count: counts?.selected ?? 0, [verb]: done, failed: lost, cancelled },
      );
    },
  );
}

/** Validates and starts a message export; rows are read (and requeued) as the download is written. */
export async function startExport(context: ActionContext, queue: string, raw: unknown, signal: AbortSignal) {
  denyUnlessOperator(context, "queue.export", queue);
  const input = parsed(exportSchema, raw);
  const selection = selectionOf(input.selection);
  await prepare(context, "queue.export", queue, input.confirmConsumers);
  assertFree(queue);
  let rows = 0;
  const log = auditor(context, "queue.export", queue, {
    format: input.format,
    selection: describeSelection(input.selection),
  });
  async function* counted() {
    for await (const row of exportMessages(
      currentWarren().consumeLink.current(),
      queue,
      selection,
      input.limit,
      signal,
    )) {
      rows++;
      yield row;
    }
  }
  return {
    format: input.format,
    rows: guarded(queue, counted(), (_last, failed) =>
      log(
        failed ? "error" : "ok",
        `exported ${rows} message${rows === 1 ? "" : "s"} as ${input.format}; all requeued`,
        {
          rows,
        },
      ),
    ),
  };
}
