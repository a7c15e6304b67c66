import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { ledgerOf } from "../../lib/payments/ledger";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { PG_SKIP } from "../helpers/pg-database";
import { startPrivatePostgres } from "../helpers/private-postgres";
import { AMQP_URL, waitFor } from "./harness";

/**
 * The database goes away while orders arrive (a private server, stopped and started
 * again): the payment consumer keeps the order waiting instead of spending its
 * attempts and dead-lettering a valid order, and pays it once the database is back.
 */
describe("the payment consumer while PostgreSQL is down (private server)", { skip: PG_SKIP }, () => {
  const queue = `test.pg-outage.${process.pid}.${Date.now()}`;
  let server: Awaited<ReturnType<typeof startPrivatePostgres>> | undefined;
  let store: PostgresStore;
  let consumeLink: BrokerLink;
  let publishLink: BrokerLink;
  let consumer: PaymentConsumer;
  let raw: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const lines: string[] = [];

  before(async () => {
    server = await startPrivatePostgres();
    store = openPostgresStore(server.url, { max: 4 });
    await store.ready();
    publishLink = await new BrokerLink({ url: AMQP_URL, name: "test-pg-outage-publish", queues: [queue] }).start();
    consumeLink = await new BrokerLink({ url: AMQP_URL, name: "test-pg-outage-consume", queues: [queue] }).start();
    const publisher = new ConfirmPublisher(publishLink);
    consumer = new PaymentConsumer({
      consumeLink,
      publisher,
      ledger: ledgerOf(store),
      queue,
      prefetch: 10,
      log: (line) => lines.push(line),
    }).start();
    await waitFor(() => consumer.stats.running && publisher.ready, 10_000, "the consumer");
    raw = await amqp.connect(AMQP_URL);
    channel = await raw.createConfirmChannel();
  });

  after(async () => {
    try {
      await consumer?.stop();
      await channel?.deleteQueue(queue).catch(() => {});
      await channel?.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
      await raw?.close().catch(() => {});
      await publishLink?.close();
      await consumeLink?.close();
      await store?.close();
    } finally {
      server?.stop();
    }
  });

  it("keeps a valid order waiting while the database is down and pays it once it is back", {
    timeout: 120_000,
  }, async () => {
    server?.halt();
    const haltedAt = Date.now();
    const orderId = `outage-${Date.now()}`;
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "book", quantity: 1 })), {
      persistent: true,
      messageId: orderId,
    });
    await channel.waitForConfirms();
    const deliveredBefore = consumer.stats.delivered;
    // More failed tries than a message gets for a failure of its own (MAX_HANDLER_ATTEMPTS).
    await waitFor(
      () => consumer.stats.delivered - deliveredBefore >= 4,
      30_000,
      "the consumer to try the order 4 times",
    );
    // Readiness sees it (lib/health/readiness.ts), and the log says so once, not once per try.
    const away = consumer.status().storeUnavailable;
    assert.ok(away, "the consumer reports its database away");
    assert.match(away.error, /ECONNREFUSED|terminated|connect/i);
    const said = lines.filter((line) => line.includes("store unavailable"));
    const tries = consumer.stats.delivered - deliveredBefore;
    const allowed = 1 + Math.floor((Date.now() - haltedAt) / 5000);
    assert.ok(
      said.length >= 1 && said.length <= allowed && said.length < tries,
      `one line per 5 s, not one per try (${tries} tries): ${said.join(" | ")}`,
    );
    server?.start();
    await waitFor(
      async () => (await store.payments.recent(10).catch(() => [])).some((p) => p.orderId === orderId),
      30_000,
      "the payment once the database is back",
    );
    assert.equal(consumer.stats.deadLettered, 0, "nothing was dead-lettered");
    assert.equal(consumer.status().storeUnavailable, null, "back: the consumer says so");
    assert.ok(lines.some((line) => line.includes("store available again")));
    assert.equal((await channel.checkQueue(deadLetterQueueOf(queue))).messageCount, 0);
    assert.deepEqual(await store.payments.counts(), { payments: 1, duplicates: 0 });
  });
});
