import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { actorOf, recordAudit } from "../audit";
import type { Access } from "../auth/access";
import { assertCanAct } from "../auth/access";
import { isWarrenError, WarrenError } from "../errors";
import { broadcastControl, type ControlCommand } from "../payments/control";
import { currentWarren } from "../process/current";
import { isManagementUnavailable, type PeekedMessage } from "./management";

/** Queue names as RabbitMQ takes them: 1–255 bytes, no control characters. */
export const queueNameSchema = z
  .string({ message: "queue name is required" })
  .min(1, "queue name is required")
  .refine((name) => Buffer.byteLength(name) <= 255, "queue names are at most 255 bytes")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), "queue names cannot contain control characters")
  .refine((name) => !name.startsWith("amq."), "amq.* queues belong to the broker");

export const MAX_TEST_MESSAGE_BYTES = 64 * 1024;

export const testMessageSchema = z.object({
  queue: queueNameSchema,
  body: z
    .string({ message: "message body is required" })
    .min(1, "message body is required")
    .refine((body) => Buffer.byteLength(body) <= MAX_TEST_MESSAGE_BYTES, "the message is larger than 64 KiB")
    .refine((body) => {
      try {
        JSON.parse(body);
        return true;
      } catch {
        return false;
      }
    }, "the message body is not valid JSON"),
});

export const peekSchema = z.object({
  queue: queueNameSchema,
  count: z.coerce
    .number({ message: "count must be a whole number from 1 to 50" })
    .int("count must be a whole number from 1 to 50")
    .min(1, "count must be a whole number from 1 to 50")
    .max(50, "count must be a whole number from 1 to 50"),
});

export interface ActionContext {
  access: Access;
  /** The client's address (for the audit log, operators only, and refusal coalescing). */
  client?: string;
}

/**
 * Runs one operator action: checks authorization on the server (a hidden
 * button is not a check), and records who/what/when/result in the audit log,
 * refusals and failures included.
 */
export async function audited<T>(
  context: ActionContext,
  action: string,
  target: string | null,
  details: Record<string, unknown> | null,
  run: () => Promise<{ value: T; message: string }>,
): Promise<T> {
  const actor = actorOf(context.access);
  const where = { client: context.client };
  try {
    assertCanAct(context.access);
  } catch (error) {
    recordAudit({ actor, action, target, details, result: "denied", message: (error as Error).message }, where);
    throw error;
  }
  try {
    const { value, message } = await run();
    recordAudit({ actor, action, target, details, result: "ok", message }, where);
    return value;
  } catch (error) {
    const message = isWarrenError(error) ? error.message : "unexpected error";
    recordAudit({ actor, action, target, details, result: "error", message }, where);
    throw error;
  }
}

/** For JSON routes: refuse (401/403, audited) before even reading the body. */
export function denyUnlessOperator(context: ActionContext, action: string, target: string | null): void {
  try {
    assertCanAct(context.access);
  } catch (error) {
    recordAudit(
      { actor: actorOf(context.access), action, target, result: "denied", message: (error as Error).message },
      { client: context.client },
    );
    throw error;
  }
}

async function withChannel<T>(work: (channel: import("amqplib").Channel) => Promise<T>): Promise<T> {
  const model = currentWarren().publishLink.current();
  if (!model) throw new WarrenError("broker_unavailable", "The message broker is unreachable right now.");
  const channel = await model.createChannel();
  channel.on("error", () => {});
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => {});
  }
}

/** Purges a queue over AMQP (works in limited mode too); returns how many messages were removed. */
export function purgeQueue(context: ActionContext, queue: string): Promise<number> {
  return audited(context, "queue.purge", queue, null, async () => {
    const purged = await withChannel(async (channel) => {
      try {
        await channel.checkQueue(queue);
      } catch {
        throw new WarrenError("not_found", `There is no queue named "${queue}".`);
      }
      return (await channel.purgeQueue(queue)).messageCount;
    });
    return { value: purged, message: `purged ${purged} message${purged === 1 ? "" : "s"}` };
  });
}

/** Publishes a JSON test message to a queue through the default exchange, with a confirm. */
export function publishTestMessage(context: ActionContext, queue: string, body: string): Promise<string> {
  const messageId = `test:${randomUUID()}`;
  return audited(
    context,
    "queue.publish-test",
    queue,
    { messageId, bytes: Buffer.byteLength(body), preview: body.slice(0, 200) },
    async () => {
      try {
        await currentWarren().publisher.publish("", queue, Buffer.from(body), {
          messageId,
          persistent: true,
          contentType: "application/json",
          timestamp: Date.now(),
          headers: { "x-warren-test": true },
        });
      } catch (error) {
        if (isWarrenError(error) && error.code === "unroutable") {
          throw new WarrenError("not_found", `There is no queue named "${queue}"; nothing was published.`);
        }
        throw error;
      }
      return { value: messageId, message: `published ${messageId}` };
    },
  );
}

/** Up to N messages via the management API's get with ack_requeue_true (they come back redelivered). */
export function peekMessages(context: ActionContext, queue: string, count: number): Promise<PeekedMessage[]> {
  return audited(context, "queue.peek", queue, { count }, async () => {
    let messages: PeekedMessage[] | null;
    try {
      messages = await currentWarren().management.peek(queue, count);
    } catch (error) {
      if (isManagementUnavailable(error)) {
        throw new WarrenError(
          "broker_unavailable",
          "Peeking needs the management API, which is not reachable (limited mode).",
        );
      }
      throw error;
    }
    if (messages === null) throw new WarrenError("not_found", `There is no queue named "${queue}".`);
    return { value: messages, message: `peeked ${messages.length} message${messages.length === 1 ? "" : "s"}` };
  });
}

/**
 * Pause, resume or change prefetch of the payment consumers in every process: the change is
 * stored first (the truth, read by every process, also by one started later), then broadcast
 * on the control fanout so running processes re-read it at once instead of at their next poll.
 */
export function controlConsumers(context: ActionContext, command: ControlCommand): Promise<void> {
  const { env: config, store, publisher } = currentWarren();
  const queue = config.ORDER_QUEUE;
  const action = `consumers.${command.command}`;
  const details = command.command === "prefetch" ? { prefetch: command.prefetch } : null;
  return audited(context, action, queue, details, async () => {
    const change =
      command.command === "prefetch" ? { prefetch: command.prefetch } : { paused: command.command === "pause" };
    await store.pipeline.write(queue, change, { at: Date.now(), by: actorOf(context.access) });
    const done =
      command.command === "prefetch" ? `prefetch set to ${command.prefetch}` : `consumers ${command.command}d`;
    try {
      await broadcastControl(publisher, command, queue);
    } catch (error) {
      if (isWarrenError(error) && error.code === "conflict") {
        return { value: undefined, message: `${done} (stored; no consumer runs now: each applies it when it starts)` };
      }
      // Stored, but not announced: every process still reads it within its poll period.
      return { value: undefined, message: `${done} (stored; processes apply it within seconds)` };
    }
    return { value: undefined, message: `${done} (stored, and broadcast on warren.control)` };
  });
}
