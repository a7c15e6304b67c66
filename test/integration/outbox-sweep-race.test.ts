import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { acceptOrder } from "../../lib/orders/accept";
import { OrderOutbox } from "../../lib/orders/outbox";
import { openDb } from "../../lib/store/db";
import { SqliteStore } from "../../lib/store/sqlite";
import type { ClaimRequest } from "../../lib/store/store";
import { AMQP_URL, waitFor } from "./harness";

/**
 * A sweep computes what its claim excludes (rows being published, confirms not yet recorded)
 * before its query runs. An order accepted, published and confirmed while that query is on its
 * way came back claimed (leased to this relay) and was published a second time: an extra
 * delivery and a false `outbox_republish` (postgres-pipeline.test.ts saw it now and then under
 * load). Here the claim is held at exactly that point, on a real SQLite file and the real broker,
 * and the queue must hold the order once.
 */
test("a sweep whose claim started before an order was confirmed does not publish it again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-sweep-race-"));
  const queue = `test.sweep-race.${process.pid}.${Date.now()}`;
  const db = openDb(join(dir, "outbox.db"));
  const store = new SqliteStore(db);
  const link = await new BrokerLink({ url: AMQP_URL, name: "test-sweep-race", queues: [queue] }).start();
  const publisher = new ConfirmPublisher(link);
  const outbox = new OrderOutbox({ store, publisher, link, queue, sweepMs: 60_000 });
  const admin = await amqp.connect(AMQP_URL);
  const channel = await admin.createChannel();
  try {
    outbox.start();
    await waitFor(() => publisher.ready, 10_000, "the publisher");
    await new Promise((resolve) => setTimeout(resolve, 300)); // the start-up sweep is done

    // The next claim is held after its exclusions were computed, until the order is confirmed.
    const claimDue = store.orders.claimDue.bind(store.orders);
    let claimedRows = -1;
    store.orders.claimDue = async (request: ClaimRequest) => {
      await waitFor(() => outbox.stats.published >= 1, 10_000, "the order's confirm");
      const rows = await claimDue(request);
      claimedRows = rows.length;
      return rows;
    };
    outbox.sweep(true);
    const order = await acceptOrder({ item: "book", quantity: 1 }, "test", outbox);
    assert.equal(order.status, "placed");
    await waitFor(() => claimedRows >= 0, 10_000, "the held claim");
    assert.equal(claimedRows, 1, "the race happened: the claim came back with the confirmed order");
    await new Promise((resolve) => setTimeout(resolve, 500)); // a second publish would be confirmed by now
    await waitFor(async () => (await store.orders.pending()) === 0, 5000, "the outbox to empty");
    const { messageCount } = await channel.checkQueue(queue);
    assert.equal(messageCount, 1, "published once");
    assert.equal(outbox.stats.published, 1);
  } finally {
    await outbox.stop();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
    await admin.close().catch(() => {});
    await link.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
