import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { ORDERS_EXCHANGE } from "../../lib/amqp/topology";
import { REASON_HEADER } from "../../lib/payments/consumer";
import { AMQP_URL, startPipeline, waitFor } from "./harness";

describe("order → RabbitMQ → payment (real broker, real SQLite)", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  before(async () => {
    pipeline = await startPipeline("pipeline");
  });
  after(async () => {
    await pipeline.close();
  });

  it("pays an order published through Warren's confirm channel", async () => {
    const order = await pipeline.placeOrder({ item: "book", quantity: 2 });
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === order.orderId), 5000, "the payment");
    const payment = pipeline.ledger.recent().find((p) => p.orderId === order.orderId);
    assert.equal(payment?.amountCents, 2500);
    assert.equal(payment?.quantity, 2);
    assert.ok((payment?.latencyMs ?? -1) >= 0);
  });

  it("records one payment when the same message arrives three times", async () => {
    const before = pipeline.ledger.counts();
    const body = JSON.stringify({ orderId: "dup-1", item: "tea", quantity: 1 });
    for (let i = 0; i < 3; i++) await pipeline.send(body, { messageId: "dup-1", contentType: "application/json" });
    await waitFor(() => pipeline.ledger.counts().duplicates >= before.duplicates + 2, 5000, "two duplicates");
    const after = pipeline.ledger.counts();
    assert.equal(after.payments - before.payments, 1);
    assert.equal(after.duplicates - before.duplicates, 2);
    assert.equal(pipeline.ledger.recent().filter((p) => p.orderId === "dup-1").length, 1);
  });

  it("pays a message in the seed tutorial's shape (numeric id, no quantity, no headers)", async () => {
    const orderId = Date.now();
    await pipeline.send(JSON.stringify({ orderId, item: "book" }));
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === String(orderId)), 5000, "the seed payment");
  });

  it("dead-letters a non-JSON message with its reason, and keeps consuming", async () => {
    await pipeline.send("this is not json", { messageId: "poison-1" });
    const dead = await pipeline.getDeadLetter();
    assert.equal(dead.content.toString(), "this is not json");
    assert.match(String(dead.properties.headers?.[REASON_HEADER]), /^not JSON: /);
    assert.equal(dead.properties.headers?.["x-warren-original-queue"], pipeline.queue);

    const order = await pipeline.placeOrder({ item: "pen", quantity: 1 });
    await waitFor(
      () => pipeline.ledger.recent().some((p) => p.orderId === order.orderId),
      5000,
      "a payment after poison",
    );
  });

  it("dead-letters a schema failure, naming the field", async () => {
    await pipeline.send(JSON.stringify({ orderId: "bad-1", item: ["book"] }));
    const dead = await pipeline.getDeadLetter();
    assert.match(String(dead.properties.headers?.[REASON_HEADER]), /^schema: item: /);
  });

  it("dead-letters an order id paid before with a different body as a conflict", async () => {
    await pipeline.send(JSON.stringify({ orderId: "clash-1", item: "book" }));
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === "clash-1"), 5000, "the first payment");
    await pipeline.send(JSON.stringify({ orderId: "clash-1", item: "laptop" }));
    const dead = await pipeline.getDeadLetter();
    assert.match(String(dead.properties.headers?.[REASON_HEADER]), /conflict: order clash-1 was already paid/);
    assert.equal(pipeline.ledger.recent().find((p) => p.orderId === "clash-1")?.item, "book");
  });

  it("re-subscribes after the broker cancels the consumer (queue deleted)", async () => {
    const admin = await amqp.connect(AMQP_URL);
    try {
      const channel = await admin.createChannel();
      await channel.deleteQueue(pipeline.queue);
      // The broker's cancel reaches the consumer's connection after delete-ok reaches ours, so
      // `stats.running` may still be the old subscription: wait for the queue and a consumer on it.
      await waitFor(
        async () => {
          const probe = await admin.createChannel();
          probe.on("error", () => {});
          try {
            return (await probe.checkQueue(pipeline.queue)).consumerCount === 1;
          } catch {
            return false;
          } finally {
            await probe.close().catch(() => {});
          }
        },
        5000,
        "the consumer to come back",
      );
      // No re-bind here: Warren itself must restore the binding from `orders` (while it is
      // missing, the relay's publish is returned as unroutable and the order is never paid).
      const order = await pipeline.placeOrder({ item: "coffee", quantity: 1 });
      await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === order.orderId), 5000, "a payment");
    } finally {
      await admin.close();
    }
  });
});

describe("lost binding", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  before(async () => {
    pipeline = await startPipeline("unbound");
  });
  after(async () => {
    await pipeline.close();
  });

  it("an order returned as unroutable re-declares the topology; the next one is paid", async () => {
    const admin = await amqp.connect(AMQP_URL);
    try {
      const channel = await admin.createChannel();
      // The queue and its consumer stay; only the route from `orders` is gone.
      await channel.unbindQueue(pipeline.queue, ORDERS_EXCHANGE, pipeline.queue);
      const order = await pipeline.placeOrder({ item: "tea", quantity: 1 });
      await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === order.orderId), 10_000, "a payment");
      assert.ok(pipeline.publisher.counts.returned >= 1, "the first publish came back unroutable");
      // The payment can land before the publisher hears the routed publish's confirm: wait for that too.
      await waitFor(
        () => pipeline.publisher.lastUnroutable === null,
        10_000,
        "a routed publish to clear the unroutable status",
      );
    } finally {
      await admin.close();
    }
  });
});

describe("publishing", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  before(async () => {
    pipeline = await startPipeline("publish");
  });
  after(async () => {
    await pipeline.close();
  });

  it("sets the properties a consumer and the management UI rely on", async () => {
    await pipeline.consumer.stop();
    const order = await pipeline.placeOrder({ item: "book", quantity: 1 });
    const { rawChannel } = pipeline;
    const got: Array<Awaited<ReturnType<typeof rawChannel.get>>> = [];
    await waitFor(
      async () => {
        got.push(await rawChannel.get(pipeline.queue, { noAck: true }));
        return got.at(-1) !== false;
      },
      5000,
      "the order on the queue",
    );
    const message = got.at(-1);
    assert.ok(message, "the order is on the queue");
    assert.equal(message.properties.messageId, order.orderId);
    assert.equal(message.properties.correlationId, order.orderId);
    assert.equal(message.properties.contentType, "application/json");
    assert.equal(message.properties.deliveryMode, 2);
    assert.equal(message.properties.timestamp, Math.floor(order.placedAt / 1000));
    const { orderId, item, quantity, placedAt } = order;
    assert.deepEqual(JSON.parse(message.content.toString()), { orderId, item, quantity, placedAt });
  });

  it("rejects a publish that no queue receives (mandatory)", async () => {
    await assert.rejects(
      pipeline.publisher.publish(ORDERS_EXCHANGE, `${pipeline.queue}.nowhere`, Buffer.from("{}"), {
        persistent: true,
        messageId: "nowhere",
      }),
      (error: Error) => error.name === "WarrenError" && /No queue is bound/.test(error.message),
    );
  });

  it("keeps tutorial-style declares of the order queue working (no 406)", async () => {
    const tutorial = await amqp.connect(AMQP_URL);
    try {
      const channel = await tutorial.createChannel();
      const ok = await channel.assertQueue(pipeline.queue, { durable: true });
      assert.equal(ok.queue, pipeline.queue);
    } finally {
      await tutorial.close();
    }
  });
});
