import assert from "node:assert/strict";
import { test } from "node:test";
import amqp from "amqplib";
import { DEAD_LETTER_EXCHANGE, deadLetterQueueOf, declareTopology, ORDERS_EXCHANGE } from "../../lib/amqp/topology";
import { decodeDeadLetter } from "../../lib/deadletters/decode";
import { CLUSTER_VHOST, LocalCluster } from "../../scripts/chaos/local-cluster";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";

/**
 * Dead-lettering on a quorum queue by policy, as the README's "Scaling out" section documents it:
 * on a real 3-node cluster (CLUSTER_TEST_BASE_PORT, default 5791) in a quorum-default vhost,
 * Warren's own topology (arg-less `order_queue`, `orders.dlx`, `order_queue.dlq`) plus ONE policy
 * that carries both the delivery limit and Warren's dead-letter route. A message returned to the
 * queue again and again (a consumer that keeps failing, or peeks) is delivered 4 times with
 * `delivery-limit: 3`, then the broker dead-letters it into Warren's DLQ with reason
 * `delivery_limit`, where the dead-letter workbench's decoder reads it as a broker dead letter.
 */
const BASE = Number(process.env.CLUSTER_TEST_BASE_PORT ?? 5791);

test("a quorum queue dead-letters on the 4th delivery with delivery-limit 3, into Warren's DLQ", {
  skip: privateBrokerSkipReason(),
  timeout: 240_000,
}, async () => {
  const cluster = new LocalCluster({ base: BASE, prefix: "warren-limit" });
  let connection: amqp.ChannelModel | null = null;
  try {
    await cluster.start();
    const queue = `test.limit.${process.pid}`;
    const [seed] = cluster.nodes;
    // The README's command: one policy for the order queue only (exact pattern), priority above Warren's own.
    const definition = JSON.stringify({
      "delivery-limit": 3,
      "dead-letter-exchange": DEAD_LETTER_EXCHANGE,
      "dead-letter-routing-key": queue,
    });
    await seed.ctl(
      "set_policy",
      "-p",
      CLUSTER_VHOST,
      "--apply-to",
      "queues",
      "--priority",
      "10",
      `warren-limit-${queue}`,
      `^${queue.replaceAll(".", "\\.")}$`,
      definition,
    );
    connection = await amqp.connect(cluster.urlOf(seed));
    const channel = await connection.createConfirmChannel();
    await declareTopology(channel, queue);
    const listed = JSON.parse(
      await seed.ctl("list_queues", "-p", CLUSTER_VHOST, "name", "type", "policy", "--formatter", "json"),
    ) as Array<{ name: string; type: string; policy: string }>;
    assert.deepEqual(
      listed.find((q) => q.name === queue),
      { name: queue, type: "quorum", policy: `warren-limit-${queue}` },
      "Warren's arg-less declare made a quorum queue, and the policy applies to it",
    );
    assert.equal(listed.find((q) => q.name === deadLetterQueueOf(queue))?.policy ?? "", "", "the DLQ has no limit");

    channel.publish(ORDERS_EXCHANGE, queue, Buffer.from(JSON.stringify({ orderId: "limit-1", item: "book" })), {
      persistent: true,
      messageId: "limit-1",
    });
    await channel.waitForConfirms();

    // Deliver and return it until it is gone; count the deliveries.
    let deliveries = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const message = await channel.get(queue, { noAck: false });
      if (message === false) {
        // A returned message is back at once; only a dead-lettered one stays away. Ask once more after a beat.
        await new Promise((resolve) => setTimeout(resolve, 300));
        if ((await channel.checkQueue(queue)).messageCount === 0) break;
        continue;
      }
      deliveries++;
      channel.nack(message, false, true);
    }
    assert.equal(deliveries, 4, "delivered 4 times: the 4th return passes delivery-limit 3");

    let dead: amqp.GetMessage | false = false;
    for (let i = 0; i < 50 && dead === false; i++) {
      dead = await channel.get(deadLetterQueueOf(queue), { noAck: true });
      if (dead === false) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(dead, "the message is in Warren's DLQ");
    const letter = decodeDeadLetter(dead, deadLetterQueueOf(queue));
    assert.equal(letter.source, "broker");
    assert.equal(letter.reason, "delivery_limit (broker)");
    assert.equal(letter.originalQueue, queue, "a redrive from the workbench sends it back to the order queue");
    assert.equal(letter.messageId, "limit-1");
  } finally {
    await connection?.close().catch(() => {});
    await cluster.stop();
  }
});
