"use server";

import { z } from "zod";
import { isWarrenError } from "@/lib/errors";
import { controlCommandSchema } from "@/lib/payments/control";
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
import { log } from "@/lib/runtime";
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

const fieldErrorsOf = (error: z.ZodError) => issuesByField(error);

function failure(error: unknown, what: string): ActionState {
  if (isWarrenError(error)) return { status: "error", message: error.message, code: error.status, at: Date.now() };
  log(`[queues] unexpected error in ${what}: ${(error as Error).stack ?? error}`);
  return { status: "error", message: `${what} failed unexpectedly; see the server log.`, code: 500, at: Date.now() };
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
  if (!parsed.success) {
    return {
      status: "error",
      message: "Nothing was purged.",
      fieldErrors: fieldErrorsOf(parsed.error),
      at: Date.now(),
    };
  }
  try {
    const purged = await purgeQueue(await actionContext(), parsed.data.queue);
    return {
      status: "ok",
      message: `Purged ${purged} message${purged === 1 ? "" : "s"} from ${parsed.data.queue}.`,
      at: Date.now(),
    };
  } catch (error) {
    return failure(error, "Purge");
  }
}

export async function publishTestAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = testMessageSchema.safeParse({ queue: text(formData, "queue"), body: text(formData, "body") });
  if (!parsed.success) {
    return {
      status: "error",
      message: "Nothing was published.",
      fieldErrors: fieldErrorsOf(parsed.error),
      at: Date.now(),
    };
  }
  try {
    const messageId = await publishTestMessage(await actionContext(), parsed.data.queue, parsed.data.body);
    return { status: "ok", message: `Published and confirmed (${messageId}).`, at: Date.now() };
  } catch (error) {
    return failure(error, "Publish");
  }
}

export async function peekAction(_previous: PeekState, formData: FormData): Promise<PeekState> {
  const parsed = peekSchema.safeParse({ queue: text(formData, "queue"), count: text(formData, "count") });
  if (!parsed.success) {
    return {
      status: "error",
      message: "Nothing was fetched.",
      fieldErrors: fieldErrorsOf(parsed.error),
      at: Date.now(),
    };
  }
  try {
    const messages = await peekMessages(await actionContext(), parsed.data.queue, parsed.data.count);
    return {
      status: "ok",
      message:
        messages.length === 0
          ? "The queue has no ready messages."
          : `Fetched ${messages.length} message${messages.length === 1 ? "" : "s"} and requeued them (now marked redelivered).`,
      messages,
      at: Date.now(),
    };
  } catch (error) {
    return failure(error, "Peek");
  }
}

export async function consumerControlAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = controlCommandSchema.safeParse({
    command: text(formData, "command"),
    prefetch: formData.has("prefetch") ? text(formData, "prefetch") : undefined,
  });
  if (!parsed.success) {
    return {
      status: "error",
      message: "Nothing was changed.",
      fieldErrors: fieldErrorsOf(parsed.error),
      at: Date.now(),
    };
  }
  try {
    await controlConsumers(await actionContext(), parsed.data);
    const message =
      parsed.data.command === "pause"
        ? "Paused: the payment consumers stopped taking messages; the queue will grow."
        : parsed.data.command === "resume"
          ? "Resumed: the payment consumers are draining the queue."
          : `Prefetch set to ${parsed.data.prefetch} on every payment consumer.`;
    return { status: "ok", message, at: Date.now() };
  } catch (error) {
    return failure(error, "Consumer control");
  }
}
