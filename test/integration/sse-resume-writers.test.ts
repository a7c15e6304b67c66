import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import { parseEnv } from "../../lib/config/env";
import { hashOrder, type Payment } from "../../lib/payments/decide";
import type { Warren } from "../../lib/process/warren";
import { createWarren } from "../../lib/process/warren";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { readSse } from "../helpers/sse-reader";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/** A live stream through the real route handler (app/api/events/route.ts), read as a browser's EventSource would. */
async function openStream(GET: (request: Request) => Promise<Response>, lastEventId?: string) {
  const abort = new AbortController();
  const response = await GET(
    new Request("http://127.0.0.1/api/events", {
      headers: lastEventId ? { "last-event-id": lastEventId } : {},
      signal: abort.signal,
    }),
  );
  assert.equal(response.status, 200);
  const stream = readSse(response.body as ReadableStream<Uint8Array>, abort);
  return { ...stream, payments: () => stream.payments<Payment>() };
}

/**
 * SSE resume with many writers (issue 11): two ledgers (two workers) commit out of order, a
 * payment with the lower seq last. The web process's live stream (the real route, on a real
 * broker and PostgreSQL) must serve a payment only once every reader can see everything before
 * it, so a tab that disconnects after its first payment and resumes with that Last-Event-ID
 * gets the other one. (Serving the fanout's announcement directly, as before, sends the later
 * writer's payment first, and the resume from its id passes over the late commit for ever.)
 */
describe("SSE resume with two writers committing out of order (PostgreSQL, real route)", { skip: PG_SKIP }, () => {
  const queue = `test.sse-writers.${process.pid}.${Date.now()}`;
  let database: TestDatabase;
  let warren: Warren;
  let writers: PostgresStore[] = [];
  let link: BrokerLink;
  let announcer: ConfirmPublisher;
  let GET: (request: Request) => Promise<Response>;

  before(async () => {
    database = await createTestDatabase("warren_ssewriters");
    const config = parseEnv({
      AMQP_URL,
      ORDER_QUEUE: queue,
      DATABASE_URL: database.url(),
      WARREN_CONSUMER: "0",
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
    });
    warren = createWarren(config, "web", { log: () => {} });
    ({ GET } = await import("../../app/api/events/route"));
    writers = [openPostgresStore(database.url(), { max: 2 }), openPostgresStore(database.url(), { max: 2 })];
    link = await new BrokerLink({ url: AMQP_URL, name: "test-sse-writers", queues: [queue] }).start();
    announcer = new ConfirmPublisher(link);
    await waitFor(() => announcer.ready && warren.publisher.ready, 10_000, "the publishers");
    await waitFor(() => warren.live?.feed.channelState.current() != null, 10_000, "the payment feed");
    await waitFor(() => warren.live?.payments.position !== null, 10_000, "the payment tail");
  });

  after(async () => {
    try {
      await warren?.close();
      await link?.close();
      for (const writer of writers) await writer.close();
      await deleteQueueAndDlq(queue);
    } finally {
      await database?.drop();
    }
  });

  /** What a worker does after its commit: the batch on the payments fanout, routed by the order queue. */
  const announce = (payments: Payment[]) =>
    assert.ok(announcer.publishEvent(PAYMENT_EVENTS_EXCHANGE, Buffer.from(JSON.stringify(payments)), queue));

  const entry = (orderId: string, messageId: string) => ({
    order: { orderId, item: "book", quantity: 1, placedAt: 1, bodyHash: hashOrder(orderId, "book", 1) },
    messageId,
    redelivered: false,
  });

  it("serves the late commit before the early one, and a resume from the first id gets the second", {
    timeout: 60_000,
  }, async () => {
    const [writerA, writerB] = writers;
    assert.ok(writerA && writerB && warren.live);
    const { feed, payments: tail } = warren.live;
    const tab = await openStream(GET);
    await waitFor(() => tab.events.some((e) => e.event === "snapshot"), 10_000, "the snapshot");

    // Writer A's batch will wait inside its transaction, after its payment row (lower seq) is in:
    // it carries its order twice, so the ledger classifies it the careful way, whose last statement
    // writes the duplicate, and another connection holds the duplicates table until we let it go.
    // (Writer B's batch of one new order does not write there.)
    await writerA.payments.head(); // its store is open (schema checked) before the table is held
    const blocker = new pg.Client({ connectionString: database.url() });
    await blocker.connect();
    let late: Promise<Awaited<ReturnType<typeof writerA.payments.recordBatch>>>;
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE duplicates IN SHARE MODE");
      late = writerA.payments.recordBatch([entry("order-late", "msg-late"), entry("order-late", "msg-late-copy")]);
      await waitFor(
        async () =>
          (
            await blocker.query<{ n: number }>(
              "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          ).rows[0]?.n === 1,
        10_000,
        "writer A to wait inside its transaction",
      );
      // Writer B commits a payment with a higher seq, and announces it.
      const [early] = await writerB.payments.recordBatch([entry("order-early", "msg-early")]);
      assert.equal(early?.kind, "paid");
      const relayed = feed.relayed;
      const readsBefore = tail.reads;
      announce([(early as { payment: Payment }).payment]);
      await waitFor(() => feed.relayed > relayed && tail.reads > readsBefore, 10_000, "the announcement to be read");
      await tail.read();
      assert.deepEqual(tab.payments(), [], "nothing is served while an older transaction may still commit before it");
    } finally {
      await blocker.query("ROLLBACK").catch(() => {});
      await blocker.end();
    }
    const [lateOutcome] = await late;
    assert.equal(lateOutcome?.kind, "paid");
    const latePayment = (lateOutcome as { payment: Payment }).payment;
    announce([latePayment]);

    await waitFor(() => tab.payments().length >= 1, 10_000, "the first payment on the stream");
    const [first] = tab.payments();
    assert.equal(first?.orderId, "order-late", "the late commit comes first: its transaction is older");
    await tab.close();

    // The tab reconnects with the id of the one payment it got.
    const resumed = await openStream(GET, first?.id ?? undefined);
    try {
      await waitFor(
        () => resumed.payments().some((p) => p.orderId === "order-early"),
        10_000,
        "the resumed stream to serve the other payment",
      );
    } finally {
      await resumed.close();
    }
    assert.deepEqual(
      resumed.payments().map((p) => p.orderId),
      ["order-early"],
    );
  });
});
