import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import { PaymentRelay } from "../../lib/events/hub";
import { ORIGIN_HEADER, PROCESS_ORIGIN } from "../../lib/events/origin";
import type { Payment } from "../../lib/payments/decide";
import { AMQP_URL, waitFor } from "./harness";

const payment = (orderId: string, seq: number): Payment => ({
  seq,
  orderId,
  item: "book",
  quantity: 1,
  amountCents: 1250,
  placedAt: 1,
  paidAt: 2,
  latencyMs: 1,
});

test("the relay delivers local payments directly and each payment exactly once", { timeout: 30_000 }, async () => {
  const queue = `test.relay.${process.pid}.${Date.now()}`;
  const link = await new BrokerLink({ url: AMQP_URL, name: "test-relay", queues: [queue] }).start();
  const raw = await amqp.connect(AMQP_URL);
  const channel = await raw.createChannel();
  const local = new EventEmitter();
  const relay = new PaymentRelay(link, queue).start().attachLocal(local);
  const seen: string[] = [];
  let probed = false;
  relay.on("payment", (p: Payment) => {
    // Late copies of the subscription probe are not part of what is checked.
    if (p.orderId === "probe") probed = true;
    else seen.push(p.orderId);
  });
  try {
    await waitFor(() => link.current() !== null, 10_000, "the broker link");
    // The relay's exclusive queue must be bound before anything is published.
    await waitFor(
      async () => {
        channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, Buffer.from(JSON.stringify(payment("probe", 0))));
        // Sent again until seen: a probe published before the relay's queue was bound is lost.
        return waitFor(() => probed, 500, "the probe").then(
          () => true,
          () => false,
        );
      },
      10_000,
      "the relay to subscribe",
    );

    // This process's own consumer: delivered at once, without the broker.
    local.emit("payment", payment("mine", 1));
    assert.deepEqual(seen, ["mine"]);
    // Its copy on the fanout (as ConfirmPublisher.publishEvent tags it) is skipped…
    channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, Buffer.from(JSON.stringify(payment("mine", 1))), {
      headers: { [ORIGIN_HEADER]: PROCESS_ORIGIN },
    });
    // …while another process's payment (a worker, another web instance) still arrives.
    channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, Buffer.from(JSON.stringify(payment("theirs", 2))), {
      headers: { [ORIGIN_HEADER]: "another-process" },
    });
    // …and a payment of another pipeline (another order queue on the same broker) is not this dashboard's.
    channel.publish(PAYMENT_EVENTS_EXCHANGE, `${queue}.other`, Buffer.from(JSON.stringify(payment("foreign", 3))), {
      headers: { [ORIGIN_HEADER]: "another-process" },
    });
    // A consumer publishes one message per committed batch: a JSON array, each payment relayed.
    channel.publish(
      PAYMENT_EVENTS_EXCHANGE,
      queue,
      Buffer.from(JSON.stringify([payment("batch-a", 4), payment("batch-b", 5)])),
      { headers: { [ORIGIN_HEADER]: "another-process" } },
    );
    // One queue delivers in publish order: once the batch (published last) is here, every copy
    // published before it was handled, so nothing else can still arrive.
    await waitFor(() => seen.includes("batch-b"), 5000, "the other process's batch");
    assert.deepEqual(seen, ["mine", "theirs", "batch-a", "batch-b"]);
  } finally {
    await raw.close().catch(() => {});
    await link.close();
  }
});
