import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import amqp, { type Channel, type ChannelModel, type Message } from "amqplib";
import Database from "better-sqlite3";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";
import { durabilityOf } from "../../lib/store/durable";
import { AMQP_URL, waitFor } from "./harness";

/**
 * The README's order for every delivery: the batch is committed by the real Ledger, the WAL is
 * synced (durabilityOf(db).sync, the fdatasync), and only then is the delivery acked. Real broker,
 * real SQLite file, real consumer; the spies only write down when each step happened.
 */
test("a delivery is acked only after its batch is committed and the WAL synced", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-ack-order-"));
  const dbPath = join(dir, "ledger.db");
  const queue = `test.ack-order.${process.pid}.${Date.now()}`;
  const db = openDb(dbPath);
  const ledger = new Ledger(db);
  const reader = new Database(dbPath, { readonly: true });
  const events: string[] = [];

  const durability = durabilityOf(db);
  const sync = durability.sync.bind(durability);
  durability.sync = async () => {
    events.push("sync started");
    await sync();
    events.push("sync done");
  };
  const record = ledger.recordBatch.bind(ledger);
  ledger.recordBatch = (entries) => {
    const outcomes = record(entries);
    events.push(`committed ${entries.map((e) => e.order.orderId).join(",")}`);
    return outcomes;
  };

  // The consumer's channels, with each ack written down along with what another connection sees.
  // A `multiple` ack settles every unacked delivery up to its tag: each of them is written down.
  const spyChannel = (channel: Channel): Channel => {
    const unacked = new Map<number, Message>();
    const consume = channel.consume.bind(channel);
    channel.consume = (q, onMessage, options) =>
      consume(
        q,
        (message) => {
          if (message) unacked.set(message.fields.deliveryTag, message);
          onMessage(message);
        },
        options,
      );
    const ack = channel.ack.bind(channel);
    channel.ack = (message: Message, allUpTo = false) => {
      const tag = message.fields.deliveryTag;
      const settled = allUpTo ? [...unacked.keys()].filter((t) => t <= tag).sort((a, b) => a - b) : [tag];
      for (const t of settled) {
        const orderId = JSON.parse((unacked.get(t) ?? message).content.toString()).orderId as string;
        unacked.delete(t);
        const row = reader.prepare("SELECT 1 FROM payments WHERE order_id = ?").get(orderId);
        events.push(`ack ${orderId}${row ? "" : " (not committed!)"}`);
      }
      ack(message, allUpTo);
    };
    return channel;
  };
  const spyModel = (model: ChannelModel): ChannelModel =>
    new Proxy(model, {
      get(target, key, receiver) {
        if (key === "createChannel") return async () => spyChannel(await target.createChannel());
        return Reflect.get(target, key, receiver);
      },
    });
  const link = await new BrokerLink({ url: AMQP_URL, name: "test-ack-order", queues: [queue] }).start();
  const consumeLink = new Proxy(link, {
    get(target, key, receiver) {
      if (key === "current")
        return () => {
          const model = target.current();
          return model && spyModel(model);
        };
      if (key === "on") {
        return (event: string, listener: (...args: unknown[]) => void) =>
          target.on(event, event === "up" ? (model: ChannelModel) => listener(spyModel(model)) : listener);
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const publisher = new ConfirmPublisher(link);
  const consumer = new PaymentConsumer({ consumeLink, publisher, ledger, queue, prefetch: 10 }).start();
  const raw = await amqp.connect(AMQP_URL);
  try {
    await waitFor(() => consumer.stats.running && publisher.ready, 10_000, "the consumer");
    const channel = await raw.createConfirmChannel();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const orderId of ids) {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "book" })), {
        persistent: true,
        messageId: orderId,
      });
    }
    await channel.waitForConfirms();
    await waitFor(() => ids.every((id) => events.includes(`ack ${id}`)), 10_000, "every delivery acked");

    for (const id of ids) {
      const committed = events.findIndex((e) => e.startsWith("committed ") && e.split(" ")[1]?.split(",").includes(id));
      const acked = events.indexOf(`ack ${id}`);
      const synced = events.indexOf("sync done", committed);
      assert.ok(committed >= 0, `${id} committed: ${events.join(" | ")}`);
      assert.ok(synced > committed, `the WAL synced after ${id}'s commit: ${events.join(" | ")}`);
      assert.ok(acked > synced, `${id} acked after the sync: ${events.join(" | ")}`);
    }
    assert.ok(!events.some((e) => e.includes("not committed")), events.join(" | "));
    await waitFor(async () => (await channel.checkQueue(queue)).messageCount === 0, 5000, "an empty queue");
  } finally {
    await consumer.stop();
    const cleanup = await raw.createChannel();
    await cleanup.deleteQueue(queue).catch(() => {});
    await cleanup.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
    await raw.close().catch(() => {});
    await link.close();
    reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
