import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Channel, ChannelModel, GetMessage } from "amqplib";
import { actOnDeadLetters } from "../../lib/deadletters/workbench";
import { ORIGINAL_QUEUE_HEADER, REASON_HEADER } from "../../lib/payments/consumer";
import { startPipeline, waitFor } from "./harness";

/**
 * "A redrive acks the DLQ copy only after the broker confirmed the new copy; a failed publish
 * leaves the DLQ copy where it was." On the real broker and the real confirm channel; the spies
 * only write down when the confirm and the ack happened.
 */
describe("redrive: the DLQ copy is acked only after the confirm", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  const events: string[] = [];

  before(async () => {
    pipeline = await startPipeline("redrive-ack");
  });
  after(async () => {
    await pipeline.close();
  });

  /** The real channel model, with each channel's ack written down (by message id). */
  function spiedModel(): ChannelModel {
    const model = pipeline.consumeLink.current();
    assert.ok(model);
    return new Proxy(model, {
      get(target, key, receiver) {
        if (key !== "createChannel") return Reflect.get(target, key, receiver);
        return async () => {
          const channel: Channel = await target.createChannel();
          const ack = channel.ack.bind(channel);
          channel.ack = (message: GetMessage, ...rest) => {
            events.push(`ack ${message.properties.messageId}`);
            ack(message, ...rest);
          };
          return channel;
        };
      },
    });
  }

  /** The real publisher, with each confirm (or failure) written down when it arrives. */
  function spiedPublisher() {
    const { publisher } = pipeline;
    return new Proxy(publisher, {
      get(target, key, receiver) {
        if (key !== "publish") return Reflect.get(target, key, receiver);
        return async (...args: Parameters<typeof publisher.publish>) => {
          const id = args[3].messageId;
          try {
            await target.publish(...args);
            events.push(`confirmed ${id}`);
          } catch (error) {
            events.push(`failed ${id}`);
            throw error;
          }
        };
      },
    });
  }

  const deadLetter = async (messageId: string, originalQueue: string) => {
    pipeline.rawChannel.sendToQueue(pipeline.dlq, Buffer.from('{"orderId":"x","item":"book"}'), {
      messageId,
      persistent: true,
      headers: { [REASON_HEADER]: "test: dead-lettered by hand", [ORIGINAL_QUEUE_HEADER]: originalQueue },
    });
    await pipeline.rawChannel.waitForConfirms();
  };
  const dlqDepth = async () => (await pipeline.rawChannel.checkQueue(pipeline.dlq)).messageCount;

  it("confirm first, then the ack; and a publish that fails leaves its DLQ copy", async () => {
    // The consumer would pay the redriven copies; pause it so the queue shows what arrived.
    await pipeline.consumer.pause();
    const target = `${pipeline.queue}.redrive-target`;
    await pipeline.rawChannel.assertQueue(target, { durable: false });
    try {
      await deadLetter("goes-back-1", target);
      await deadLetter("goes-back-2", target);
      // Its original queue is gone: the default exchange cannot route it, the mandatory publish fails.
      await deadLetter("nowhere-to-go", `${pipeline.queue}.deleted-meanwhile`);
      await waitFor(async () => (await dlqDepth()) === 3, 5000, "three dead letters");

      const result = await actOnDeadLetters(spiedModel(), spiedPublisher(), {
        dlq: pipeline.dlq,
        action: "redrive",
        selection: { all: true },
      });
      assert.deepEqual(result.redriven.map((r) => r.messageId).sort(), ["goes-back-1", "goes-back-2"]);
      assert.deepEqual(
        result.failed.map((f) => f.error.length > 0),
        [true],
      );

      for (const id of ["goes-back-1", "goes-back-2"]) {
        const confirmed = events.indexOf(`confirmed ${id}`);
        const acked = events.indexOf(`ack ${id}`);
        assert.ok(confirmed >= 0 && acked > confirmed, `${id}: ${events.join(", ")}`);
      }
      assert.ok(events.includes("failed nowhere-to-go"));
      assert.ok(!events.includes("ack nowhere-to-go"), events.join(", "));

      // On the broker: both copies in the target queue, the failed one still in the DLQ, unchanged.
      assert.equal((await pipeline.rawChannel.checkQueue(target)).messageCount, 2);
      await waitFor(async () => (await dlqDepth()) === 1, 5000, "the failed copy handed back to the DLQ");
      const left = await pipeline.rawChannel.get(pipeline.dlq, { noAck: true });
      assert.ok(left);
      assert.equal(left.properties.messageId, "nowhere-to-go");
      assert.equal(left.properties.headers?.[REASON_HEADER], "test: dead-lettered by hand");
    } finally {
      await pipeline.rawChannel.deleteQueue(target).catch(() => {});
    }
  });
});
