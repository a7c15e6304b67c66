import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { MAX_HANDLER_ATTEMPTS, PaymentConsumer, REASON_HEADER } from "../../lib/payments/consumer";
import { Ledger, type LedgerEntry } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { poisonMessages } from "../../scripts/chaos/scenarios";
import { waitFor } from "./harness";
import { privateChaosBroker } from "./private-warren";

/** A ledger whose handler throws for one item: the "handler that throws" of the chaos brief. */
class ExplodingLedger extends Ledger {
  calls = 0;
  override recordBatch(entries: LedgerEntry[]) {
    if (entries.some((e) => e.order.item === "explode")) {
      this.calls++;
      throw new Error("handler exploded");
    }
    return super.recordBatch(entries);
  }
}

describe("chaos: poison and hostile messages (private RabbitMQ node)", {
  timeout: 120_000,
  skip: privateBrokerSkipReason(),
}, () => {
  const node = privateChaosBroker();
  const { broker } = node;

  it("each hostile message ends in the DLQ with its reason, and every good order is paid", async () => {
    const result = await poisonMessages(node.scenario(), 300, 3, false);
    assert.deepEqual(result.problems, []);
    assert.equal(result.lost, 0);
    assert.equal(result.paid, result.accepted);
    // 300 good orders with a hostile one every floor(300 / (7 cases × 3)) = 14th: 22 hostile sends.
    assert.ok(
      result.notes.some((n) => /^22\/22 hostile messages dead-lettered/.test(n)),
      result.notes.join("; "),
    );
  });

  it("a handler that throws: that message is dead-lettered after a bounded number of attempts, good ones are paid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warren-chaos-throw-"));
    const queue = `h4.chaos.throw.${Date.now()}`;
    const ledger = new ExplodingLedger(openDb(join(dir, "ledger.db")));
    const link = await new BrokerLink({ url: broker.url, name: "throw-test", queues: [queue] }).start();
    const publisher = new ConfirmPublisher(link);
    const consumer = new PaymentConsumer({ consumeLink: link, publisher, ledger, queue, prefetch: 50 }).start();
    const raw = await amqp.connect(broker.url);
    try {
      await waitFor(() => consumer.stats.running && publisher.ready, 10_000, "the consumer");
      const channel = await raw.createConfirmChannel();
      const good: string[] = [];
      for (let i = 0; i < 60; i++) {
        const orderId = `good-${i}`;
        good.push(orderId);
        channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "book" })), { persistent: true });
        if (i === 30) {
          channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: "bomb", item: "explode" })), {
            persistent: true,
            messageId: "bomb",
          });
        }
      }
      await channel.waitForConfirms();
      let dead: amqp.GetMessage | false = false;
      await waitFor(
        async () => {
          dead = await channel.get(deadLetterQueueOf(queue), { noAck: true });
          return dead !== false;
        },
        15_000,
        "the throwing message in the DLQ",
      );
      const message = dead as unknown as amqp.GetMessage;
      assert.equal(message.properties.messageId, "bomb");
      assert.match(
        String(message.properties.headers?.[REASON_HEADER]),
        new RegExp(`^handler failed ${MAX_HANDLER_ATTEMPTS} times: handler exploded`),
      );
      await waitFor(() => ledger.counts().payments === good.length, 10_000, "every good order paid");
      const paid = new Set(ledger.recent(100).map((p) => p.orderId));
      for (const id of good) assert.ok(paid.has(id), `${id} paid`);
      assert.ok(!paid.has("bomb"));
      // Bounded: one failing batch plus one try per attempt, not a loop.
      assert.ok(ledger.calls <= MAX_HANDLER_ATTEMPTS * 2, `handler called ${ledger.calls} times`);
    } finally {
      await consumer.stop();
      await raw.close().catch(() => {});
      await link.close();
      ledger.db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
