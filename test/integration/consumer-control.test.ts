import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { BrokerLink } from "../../lib/amqp/link";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { broadcastControl, listenForControl } from "../../lib/payments/control";
import { ManagementClient } from "../../lib/queues/management";
import { AMQP_URL, sleep, startPipeline, waitFor } from "./harness";

const order = () => JSON.stringify({ orderId: randomUUID(), item: "book", quantity: 1 });

describe("pausing, resuming and re-prefetching the payment consumer", () => {
  test("pause lets the queue grow, resume drains it, all through warren.control", async () => {
    const pipeline = await startPipeline("h3a-control");
    const control = listenForControl(pipeline.consumeLink, pipeline.consumer);
    try {
      await sleep(300); // the control queue is bound once the link is up
      // Another pipeline's command on the shared fanout (another Warren on this broker) is not ours.
      await broadcastControl(pipeline.publisher, { command: "pause" }, `${pipeline.queue}.other`);
      await sleep(500);
      assert.equal(pipeline.consumer.stats.paused, false, "paused by another pipeline's command");
      await broadcastControl(pipeline.publisher, { command: "pause" }, pipeline.queue);
      await waitFor(() => pipeline.consumer.stats.paused, 5000, "the pause to arrive");
      const paidBefore = pipeline.consumer.stats.paid;
      for (let i = 0; i < 30; i++) await pipeline.send(order());
      await sleep(500);
      const probe = await pipeline.rawChannel.checkQueue(pipeline.queue);
      assert.equal(probe.messageCount, 30, "paused: nothing is taken");
      assert.equal(probe.consumerCount, 0, "the consumer tag is cancelled");
      assert.equal(pipeline.consumer.stats.paid, paidBefore);

      await broadcastControl(pipeline.publisher, { command: "resume" }, pipeline.queue);
      await waitFor(
        async () => (await pipeline.rawChannel.checkQueue(pipeline.queue)).messageCount === 0,
        10_000,
        "the queue to drain",
      );
      await waitFor(() => pipeline.consumer.stats.paid === paidBefore + 30, 10_000, "all 30 paid");
      assert.ok(pipeline.consumer.stats.acked >= 30);
      assert.ok(pipeline.consumer.stats.delivered >= 30);
    } finally {
      await control.close();
      await pipeline.close();
    }
  });

  test("one broadcast reaches the consumers of every process (two connections, one queue)", async () => {
    const pipeline = await startPipeline("h3a-two-processes");
    // A second "process": its own connection, consumer and control subscription on the same queue.
    const link = await new BrokerLink({ url: AMQP_URL, name: "test-h3a-second", queues: [pipeline.queue] }).start();
    const second = new PaymentConsumer({
      consumeLink: link,
      publisher: pipeline.publisher,
      ledger: pipeline.ledger,
      queue: pipeline.queue,
      prefetch: 10,
    }).start();
    const controls = [listenForControl(pipeline.consumeLink, pipeline.consumer), listenForControl(link, second)];
    const consumers = async () => (await pipeline.rawChannel.checkQueue(pipeline.queue)).consumerCount;
    try {
      await waitFor(async () => (await consumers()) === 2, 5000, "two consumers");
      await sleep(300);
      await broadcastControl(pipeline.publisher, { command: "pause" }, pipeline.queue);
      await waitFor(async () => (await consumers()) === 0, 5000, "both consumers to pause");
      assert.equal(second.stats.paused, true);
      await broadcastControl(pipeline.publisher, { command: "resume" }, pipeline.queue);
      await waitFor(async () => (await consumers()) === 2, 5000, "both consumers to resume");
    } finally {
      for (const control of controls) await control.close();
      await second.stop();
      await link.close();
      await pipeline.close();
    }
  });

  test("a prefetch change re-consumes with the new prefetch, visible on the broker", async () => {
    const pipeline = await startPipeline("h3a-prefetch", { prefetch: 50 });
    const management = new ManagementClient({ baseUrl: "http://127.0.0.1:15672", amqpUrl: AMQP_URL });
    try {
      await pipeline.consumer.setPrefetch(7);
      assert.equal(pipeline.consumer.stats.prefetch, 7);
      await waitFor(
        async () => {
          const detail = await management.queueDetail(pipeline.queue).catch(() => null);
          const consumers = detail?.consumer_details ?? [];
          return consumers.length === 1 && consumers[0]?.prefetch_count === 7;
        },
        15_000,
        "the broker to show one consumer with prefetch 7",
        500,
      );
      // Still consuming after the change.
      await pipeline.send(order());
      await waitFor(() => pipeline.consumer.stats.paid >= 1, 5000, "a payment after the prefetch change");
    } finally {
      await pipeline.close();
    }
  });

  test("two resumes racing each other start exactly one consumer", async () => {
    const pipeline = await startPipeline("h3a-resume-twice");
    try {
      await pipeline.consumer.pause();
      await Promise.all([pipeline.consumer.resume(), pipeline.consumer.resume()]);
      await sleep(200);
      assert.equal((await pipeline.rawChannel.checkQueue(pipeline.queue)).consumerCount, 1);
    } finally {
      await pipeline.close();
    }
  });
});
