"use server";

import { z } from "zod";
import { type ActionState, formText, validatedAction } from "@/lib/http/action";
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

export type { ActionState } from "@/lib/http/action";

export interface PeekState extends ActionState {
  messages?: PeekedMessage[];
}

const purgeSchema = z.object({
  queue: queueNameSchema,
  confirm: z.literal("purge", { message: "Confirm the purge first" }),
});

export const purgeAction = validatedAction(
  purgeSchema,
  (formData: FormData) => ({ queue: formText(formData, "queue"), confirm: formText(formData, "confirm") }),
  { what: "Purge", nothingDone: "Nothing was purged." },
  async (data): Promise<ActionState> => {
    const purged = await purgeQueue(await actionContext(), data.queue);
    return {
      status: "ok",
      message: `Purged ${purged} message${purged === 1 ? "" : "s"} from ${data.queue}.`,
      at: Date.now(),
    };
  },
);

export const publishTestAction = validatedAction(
  testMessageSchema,
  (formData: FormData) => ({ queue: formText(formData, "queue"), body: formText(formData, "body") }),
  { what: "Publish", nothingDone: "Nothing was published." },
  async (data): Promise<ActionState> => {
    const messageId = await publishTestMessage(await actionContext(), data.queue, data.body);
    return { status: "ok", message: `Published and confirmed (${messageId}).`, at: Date.now() };
  },
);

export const peekAction = validatedAction(
  peekSchema,
  (formData: FormData) => ({ queue: formText(formData, "queue"), count: formText(formData, "count") }),
  { what: "Peek", nothingDone: "Nothing was fetched." },
  async (data): Promise<PeekState> => {
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
  },
);

export const consumerControlAction = validatedAction(
  controlCommandSchema,
  (formData: FormData) => ({
    command: formText(formData, "command"),
    prefetch: formData.has("prefetch") ? formText(formData, "prefetch") : undefined,
  }),
  { what: "Consumer control", nothingDone: "Nothing was changed." },
  async (data): Promise<ActionState> => {
    await controlConsumers(await actionContext(), data);
    const message =
      data.command === "pause"
        ? "Paused: the payment consumers stopped taking messages; the queue will grow."
        : data.command === "resume"
          ? "Resumed: the payment consumers are draining the queue."
          : `Prefetch set to ${data.prefetch} on every payment consumer.`;
    return { status: "ok", message, at: Date.now() };
  },
);
