import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";
import { durabilityOf } from "../../lib/store/durable";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/**
 * lib/payments/batch-plan.ts on the real consumer, broker and SQLite file: deliveries that arrive
 * while a batch is being paid wait for it (fewer than a share of the window, and the broker still
 * owes more), and are paid together when it ends, with nothing more arriving to wake them.
 */
test("deliveries held back while a batch is paid go as one batch when it ends", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-batching-"));
  const queue = `test.batching.${process.pid}.${Date.now()}`;
  const db = openDb(join(dir, "ledger.db"));
  const ledger = new Ledger(db);
  const batches: string[][] = [];
  const record = ledger.recordBatch.bind(ledger);
  ledger.recordBatch = (entries) => {
    batches.push(entries.map((e) => e.order.orderId));
    return record(entries);
  };
  // The first batch's WAL sync waits for the gate: that batch stays "being paid".
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const durability = durabilityOf(db);
  const sync = durability.sync.bind(durability);
  let syncs = 0;
  durability.sync = async () => {
    if (syncs++ === 0) await gate;
    await sync();
  };

  const link = await new BrokerLink({ url: AMQP_URL, name: "test-batching", queues: [queue] }).start();
  const publisher = new ConfirmPublisher(link);
  const consumer = new PaymentConsumer({ consumeLink: link, publisher, ledger, queue, prefetch: 10 }).start();
  const raw = await amqp.connect(AMQP_URL);
  try {
    await waitFor(() => consumer.stats.running && publisher.ready, 10_000, "the consumer");
    const channel = await raw.createConfirmChannel();
    const send = async (ids: string[]) => {
      for (const orderId of ids) {
        channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "book" })), { persistent: true });
      }
      await channel.waitForConfirms();
    };
    const first = randomUUID();
    await send([first]);
    await waitFor(() => batches.length === 1, 10_000, "the first batch");
    assert.deepEqual(batches[0], [first], "a lone delivery with nothing in flight goes at once");

    const rest = [randomUUID(), randomUUID(), randomUUID()];
    await send(rest);
    await waitFor(() => consumer.stats.delivered === 4, 10_000, "the three later deliveries");
    await sleep(300);
    assert.equal(
      batches.length,
      1,
      `three of a share of five wait while the first batch is paid: ${JSON.stringify(batches)}`,
    );

    openGate();
    await waitFor(() => consumer.stats.paid === 4 && consumer.stats.acked === 4, 10_000, "all four paid and acked");
    assert.deepEqual(batches[1], rest, "the three went together when the first batch ended");
    assert.equal(batches.length, 2);
    await waitFor(async () => (await channel.checkQueue(queue)).messageCount === 0, 5000, "an empty queue");
  } finally {
    openGate();
    await consumer.stop();
    await raw.close().catch(() => {});
    await deleteQueueAndDlq(queue);
    await link.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
