import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { acceptOrder } from "../../lib/orders/accept";
import type { Warren } from "../../lib/process/warren";
import { createWarren } from "../../lib/process/warren";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/**
 * Warren's real pipeline on PostgreSQL: the composition root with DATABASE_URL set
 * builds a web process (order door, outbox relay, payment consumer, health monitor) on
 * a real broker and a throwaway database of the machine's PostgreSQL.
 */
describe("order → RabbitMQ → payment on PostgreSQL (real broker, real PostgreSQL)", { skip: PG_SKIP }, () => {
  const queue = `test.pg-pipeline.${process.pid}.${Date.now()}`;
  let database: TestDatabase;
  let warren: Warren;
  const lines: string[] = [];
  const accountsDir = mkdtempSync(join(tmpdir(), "warren-pg-accounts-"));
  const accountsFile = join(accountsDir, "accounts.db");

  before(async () => {
    database = await createTestDatabase("warren_pipeline");
    const config = parseEnv({
      AMQP_URL,
      ORDER_QUEUE: queue,
      DATABASE_URL: database.url(),
      // Accounts and sessions are in PostgreSQL too: nothing is written to this file.
      WARREN_DB_PATH: accountsFile,
      // Never set policies on the shared broker from a test.
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
      SAMPLE_INTERVAL_MS: "200",
    });
    warren = createWarren(config, "web", { log: (line) => lines.push(line) });
  });

  after(async () => {
    try {
      await warren?.close();
      await deleteQueueAndDlq(queue);
    } finally {
      await database?.drop();
      rmSync(accountsDir, { recursive: true, force: true });
    }
  });

  it("pays an order placed through the order door, once, and the health panel reads it", async () => {
    assert.equal(warren.store.backend, "postgres");
    assert.equal(warren.db, null, "no SQLite file on PostgreSQL, not even for accounts");
    assert.ok(!existsSync(accountsFile), "accounts and sessions are in PostgreSQL");
    assert.equal(warren.ledger, null, "the ledger is PostgreSQL's");
    assert.ok(
      lines.some((line) => /using PostgreSQL 127\.0\.0\.1:5432\//.test(line)),
      lines.join("\n"),
    );
    const { consumer, outbox, live } = warren;
    assert.ok(consumer && outbox && live);
    await waitFor(() => consumer.stats.running && warren.publisher.ready, 10_000, "the consumer and publisher");

    const order = await acceptOrder({ item: "book", quantity: 2 }, "api", outbox);
    assert.equal(order.status, "placed", "the broker confirmed within the wait");
    let paid = await warren.store.payments.recent(10);
    await waitFor(
      async () => {
        paid = await warren.store.payments.recent(10);
        return paid.some((p) => p.orderId === order.orderId);
      },
      10_000,
      "the payment",
    );
    assert.equal(paid.find((p) => p.orderId === order.orderId)?.amountCents, 2500);
    // The relay recorded the confirm, the consumer the delivery and its ack: the whole trace is in PostgreSQL.
    await waitFor(
      async () => (await warren.store.trace.order(order.orderId))?.hops.some((h) => h.kind === "acked") ?? false,
      5000,
      "the ack in the trace",
    );
    const trace = await warren.store.trace.order(order.orderId);
    // The broker's confirm and the delivery race each other: compare the hops, not their order.
    assert.deepEqual(trace?.hops.map((h) => h.kind).sort(), ["acked", "confirmed", "delivered", "paid", "placed"]);
    assert.equal(trace?.status, "paid");
    assert.equal(await warren.store.orders.pending(), 0, "the outbox is empty");
    assert.deepEqual(await warren.store.payments.counts(), { payments: 1, duplicates: 0 });
    // A resuming dashboard gets it from since(), once every older transaction on the server ended
    // (other databases' count too: on a shared server that can take a moment).
    await waitFor(async () => (await warren.store.payments.since(0)).length > 0, 10_000, "since() to serve it");
    assert.deepEqual(
      (await warren.store.payments.since(0)).map((p) => p.orderId),
      [order.orderId],
    );
    const health = await live.health.compute();
    assert.deepEqual([health.placed, health.paid], [1, 1]);
  });
});
