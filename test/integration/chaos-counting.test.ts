import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import { openDb } from "../../lib/store/db";
import { account } from "../../scripts/chaos/load";
import { PaymentEventCounter } from "../../scripts/chaos/payment-events";
import { AMQP_URL, waitFor } from "./harness";

/**
 * The chaos suite's duplicate counters must be able to see a duplicate: a payments table with a
 * UNIQUE order id never can. Each counter is shown one here.
 */
describe("chaos accounting: duplicates are visible", () => {
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createConfirmChannel();
  });
  after(async () => {
    await connection.close().catch(() => {});
  });

  const event = (orderId: string) => Buffer.from(JSON.stringify([{ seq: 1, orderId, item: "book", quantity: 1 }]));

  it("a payment event published twice for one order counts as one duplicate; other pipelines' events do not count", async () => {
    const queue = `test.counting.${process.pid}.${Date.now()}`;
    const counter = new PaymentEventCounter(AMQP_URL, queue);
    await counter.start();
    try {
      channel.publish(PAYMENT_EVENTS_EXCHANGE, `${queue}.other`, event("twice"));
      channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, event("once"));
      channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, event("twice"));
      channel.publish(PAYMENT_EVENTS_EXCHANGE, queue, event("twice"));
      await channel.waitForConfirms();
      // The fanout delivers in publish order: the last event seen means every earlier one was counted.
      await waitFor(() => counter.events === 3, 5000, "the three events of this pipeline");
      assert.equal(counter.duplicated(["once", "twice"]), 1);
      assert.equal(counter.unseen(["once", "twice", "never"]), 1);
    } finally {
      await counter.stop();
    }
  });

  it("two deliveries recorded as paid for one order count as one duplicate", () => {
    const dir = mkdtempSync(join(tmpdir(), "warren-counting-"));
    const dbPath = join(dir, "ledger.db");
    const db = openDb(dbPath);
    try {
      // What a ledger without its UNIQUE guard (or two ledgers on one queue) would leave behind.
      const insert = db.prepare(
        "INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome) VALUES (?, ?, ?, 0, ?)",
      );
      insert.run("a", "m-a", 1, "paid");
      insert.run("b", "m-b1", 1, "paid");
      insert.run("b", "m-b2", 2, "paid");
      insert.run("c", "m-c1", 1, "paid");
      insert.run("c", "m-c2", 2, "duplicate");
      const result = account(dbPath, new Set(["a", "b", "c", "lost"]));
      assert.equal(result.duplicated, 1);
      assert.equal(result.paid, 3);
      assert.deepEqual(result.lostIds, ["lost"]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
