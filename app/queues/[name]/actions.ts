"use server";

import { z } from "zod";
import { isWarrenError } from "@/lib/errors";
import { controlCommandSchema } from "@/lib/payments/control";
import { log } from "@/lib/process/log";
import { actionContext } from "@/lib/queues/action-context";
import type { PeekedMessage } from "@/lib/queues/management";
import {
  controlConsumers,
  peekMessages,
  peekSchema,
  publishTestMessage,
  purgeQueue,
  queueNameSchema,
  testMessageSchema,
} from "@/lib/queues/operations";
import { issuesByField } from "@/lib/validation";

export interface ActionState {
  status: "idle" | "ok" | "error";
  message: string;
  fieldErrors?: Record<string, string[]>;
  /** HTTP-like code of a refusal (401/403), so the UI can say "sign in" vs "off". */
  code?: number;
  at?: number;
}

export interface PeekState extends ActionState {
  messages?: PeekedMessage[];
}

function failure(error: unknown, what: string): ActionState {
  if (isWarrenError(error)) return { status: "error", message: error.message, code: error.status, at: Date.now() };
  log(`[queues] unexpected error in ${what}: ${(error as Error).stack ?? error}`);
  return { status: "error", message: `${what} failed unexpectedly; see the server log.`, code: 500, at: Date.now() };
}

/**
 * What every action here does around its own work: invalid input answers with
 * field errors and the given "nothing was done" message, and a refusal or
 * failure while doing the work becomes an error state, never a thrown 500.
 */
async function runParsed<T, S extends ActionState>(
  parsed: { success: true; data: T } | { success: false; error: z.ZodError },
  nothingDone: string,
  what: string,
  run: (data: T) => Promise<S>,
): Promise<S | ActionState> {
  if (!parsed.success) {
    return {
      status: "error",
      message: nothingDone,
      fieldErrors: issuesByField(parsed.error),
      at: Date.now(),
    };
  }
  try {
    return await run(parsed.data);
  } catch (error) {
    return failure(error, what);
  }
}

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

const purgeSchema = z.object({
  queue: queueNameSchema,
  confirm: z.literal("purge", { message: "Confirm the purge first" }),
});

export async function purgeAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = purgeSchema.safeParse({ queue: text(formData, "queue"), confirm: text(formData, "confirm") });
  return runParsed(parsed, "Nothing was purged.", "Purge", async (data) => {
    const purged = await purgeQueue(await actionContext(), data.queue);
    return {
      status: "ok",
      message: `Purged ${purged} message${purged === 1 ? "" : "s"} from ${data.queue}.`,
      at: Date.now(),
    };
  });
}

export async function publishTestAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = testMessageSchema.safeParse({ queue: text(formData, "queue"), body: text(formData, "body") });
  return runParsed(parsed, "Nothing was published.", "Publish", async (data) => {
    const messageId = await publishTestMessage(await actionContext(), data.queue, data.body);
    return { status: "ok", message: `Published and confirmed (${messageId}).`, at: Date.now() };
  });
}

export async function peekAction(_previous: PeekState, formData: FormData): Promise<PeekState> {
  const parsed = peekSchema.safeParse({ queue: text(formData, "queue"), count: text(formData, "count") });
  return runParsed(parsed, "Nothing was fetched.", "Peek", async (data) => {
    const messages = await peekMessages(await actionContext(), data.queue, data.count);
    return {
      status: "ok",
      message:
        messages.length === 0
          ? "The queue has no ready messages."
          : `Fetched ${messages.length} message${messages.length === 1 ? "" : "s"} and requeued them (now marked redelivered).`,
      messages,
      at: Date.now(),
    };
  });
}

export async function consumerControlAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = controlCommandSchema.safeParse({
    command: text(formData, "command"),
    prefetch: formData.has("prefetch") ? text(formData, "prefetch") : undefined,
  });
  return runParsed(parsed, "Nothing was changed.", "Consumer control", async (data) => {
    await controlConsumers(await actionContext(), data);
    const message =
      data.command === "pause"
        ? "Paused: the payment consumers stopped taking messages; the queue will grow."
        : data.command === "resume"
          ? "Resumed: the payment consumers are draining the queue."
          : `Prefetch set to ${data.prefetch} on every payment consumer.`;
    return { status: "ok", message, at: Date.now() };
  });
}
