import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ResilientChannel } from "../amqp/channel";
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

/**
 * Subscribes this process's consumer to the control exchange, on a resilient
 * channel: a channel error or a lost connection re-subscribes, so no process
 * silently ignores pause/resume. With `wake`, a command only wakes the process
 * to read the stored pipeline state (lib/payments/pipeline-state.ts), which is
 * the truth; without it (no store at hand) the command is applied as sent.
 */
export function listenForControl(
  link: BrokerLink,
  consumer: PaymentConsumer,
  log?: (message: string) => void,
  wake?: (command: ControlCommand) => Promise<void>,
) {
  const rc: ResilientChannel = new ResilientChannel({
    link,
    name: "control",
    log,
    setup: async (channel) => {
      const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, CONTROL_EXCHANGE, "");
      await channel.consume(
        queue,
        (message) => {
          if (!message) {
            rc.reopen("control queue cancelled by the broker");
            return;
          }
          if (message.fields.routingKey !== consumer.queue) return;
          let parsed: ReturnType<typeof controlCommandSchema.safeParse>;
          try {
            parsed = controlCommandSchema.safeParse(JSON.parse(message.content.toString("utf8")));
          } catch {
            return;
          }
          if (!parsed.success) return;
          log?.(`[control] ${JSON.stringify(parsed.data)}`);
          void (wake ? wake(parsed.data) : applyControl(consumer, parsed.data)).catch((error: Error) =>
            log?.(`[control] could not apply ${parsed.data.command}: ${error.message}`),
          );
        },
        { noAck: true },
      );
    },
  }).start();
  return {
    channel: rc,
    async close() {
      await rc.close();
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
