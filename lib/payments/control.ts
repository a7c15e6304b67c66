import { randomUUID } from "node:crypto";
import type { Channel, ChannelModel } from "amqplib";
import { z } from "zod";
import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { CONTROL_EXCHANGE } from "../amqp/topology";
import { isWarrenError, WarrenError } from "../errors";
import type { PaymentConsumer } from "./consumer";

/**
 * Operator commands for the payment consumers of EVERY process (web and
 * workers) of one pipeline: a fanout exchange (declared with the topology on
 * every connect), one exclusive auto-delete queue per process. The fanout is
 * shared by every Warren on the broker, so a command carries its order queue
 * as the routing key and each listener applies only its own pipeline's.
 */
export const controlCommandSchema = z.discriminatedUnion("command", [
  z.object({ command: z.literal("pause") }),
  z.object({ command: z.literal("resume") }),
  z.object({
    command: z.literal("prefetch"),
    prefetch: z.coerce
      .number({ message: "prefetch must be a whole number from 1 to 10000" })
      .int("prefetch must be a whole number from 1 to 10000")
      .min(1, "prefetch must be a whole number from 1 to 10000")
      .max(10_000, "prefetch must be a whole number from 1 to 10000"),
  }),
]);
export type ControlCommand = z.infer<typeof controlCommandSchema>;

/** Applies a command to this process's consumer. */
async function applyControl(consumer: PaymentConsumer, command: ControlCommand): Promise<void> {
  if (command.command === "pause") await consumer.pause();
  else if (command.command === "resume") await consumer.resume();
  else await consumer.setPrefetch(command.prefetch);
}

/** Subscribes this process's consumer to the control exchange, again after every reconnect. */
export function listenForControl(link: BrokerLink, consumer: PaymentConsumer, log?: (message: string) => void) {
  let channel: Channel | null = null;
  const open = async (model: ChannelModel) => {
    try {
      const ch = await model.createChannel();
      ch.on("error", () => {});
      const { queue } = await ch.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(queue, CONTROL_EXCHANGE, "");
      await ch.consume(
        queue,
        (message) => {
          if (!message || message.fields.routingKey !== consumer.queue) return;
          let parsed: ReturnType<typeof controlCommandSchema.safeParse>;
          try {
            parsed = controlCommandSchema.safeParse(JSON.parse(message.content.toString("utf8")));
          } catch {
            return;
          }
          if (!parsed.success) return;
          log?.(`[control] ${JSON.stringify(parsed.data)}`);
          void applyControl(consumer, parsed.data).catch((error: Error) =>
            log?.(`[control] could not apply ${parsed.data.command}: ${error.message}`),
          );
        },
        { noAck: true },
      );
      channel = ch;
    } catch (error) {
      log?.(`[control] could not listen for operator commands: ${(error as Error).message}`);
    }
  };
  link.on("up", (model: ChannelModel) => void open(model));
  const model = link.current();
  if (model) void open(model);
  return {
    async close() {
      await channel?.close().catch(() => {});
    },
  };
}

/** Sends a command to every consumer process of the pipeline on `queue`; fails plainly when none is listening. */
export async function broadcastControl(
  publisher: ConfirmPublisher,
  command: ControlCommand,
  queue: string,
): Promise<void> {
  try {
    await publisher.publish(CONTROL_EXCHANGE, queue, Buffer.from(JSON.stringify(command)), {
      messageId: `control:${randomUUID()}`,
      contentType: "application/json",
      persistent: false,
      mandatory: true,
    });
  } catch (error) {
    if (isWarrenError(error) && error.code === "unroutable") {
      throw new WarrenError("conflict", "No payment consumer is running in any process; nothing to control.");
    }
    throw error;
  }
}
