import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { PaymentRelay } from "../../lib/events/hub";
import { acceptOrder } from "../../lib/orders/accept";
import { OrderOutbox } from "../../lib/orders/outbox";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { type CapturedProcess, startWorkerProcess } from "../helpers/child-process";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

const WORKERS = 3;
const DOORS = 2;
const ORDERS_PER_DOOR = 300;

/**
 * Scaled out on PostgreSQL: three `npm run worker` processes share one queue and one
 * database, and two web sides (each its own store pool, broker link, outbox relay and
 * payment feed, as two web processes have) take orders. Every order is paid once, and
 * each web side's feed sees every payment, whichever worker recorded it.
 */
describe("3 workers and 2 web sides on one PostgreSQL database", { skip: PG_SKIP }, () => {
  const queue = `test.pg-workers.${process.pid}.${Date.now()}`;
  let database: TestDatabase;
  const workers: CapturedProcess[] = [];
  const webs: Array<{
    store: PostgresStore;
    link: BrokerLink;
    outbox: OrderOutbox;
    feed: PaymentRelay;
    seen: Set<string>;
  }> = [];

  before(async () => {
    database = await createTestDatabase("warren_workers");
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        startWorkerProcess({
          AMQP_URL,
          ORDER_QUEUE: queue,
          DATABASE_URL: database.url(),
          PREFETCH: "20",
          RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
        }),
      );
    }
    await waitFor(
      () => workers.every((worker) => worker.output().includes(`consuming ${queue}`)),
      60_000,
      "every worker to start consuming",
    );
    for (let i = 0; i < DOORS; i++) {
      const store = openPostgresStore(database.url(), { max: 4 });
      const link = await new BrokerLink({ url: AMQP_URL, name: `test-pg-web-${i}`, queues: [queue] }).start();
      const publisher = new ConfirmPublisher(link);
      const outbox = new OrderOutbox({ store, publisher, link, queue }).start();
      const feed = new PaymentRelay(link, queue).start();
      const seen = new Set<string>();
      feed.on("payment", (payment: { orderId: string }) => seen.add(payment.orderId));
      webs.push({ store, link, outbox, feed, seen });
      await waitFor(() => publisher.ready, 10_000, "the publisher");
    }
  });

  after(async () => {
    try {
      await Promise.all(workers.map((worker) => worker.stop()));
      for (const web of webs) {
        await web.outbox.stop();
        await web.link.close();
        await web.store.close();
      }
      await deleteQueueAndDlq(queue);
    } finally {
      await database?.drop();
    }
  });

  it("pays every order once, and every web side's feed sees every payment", { timeout: 120_000 }, async () => {
    // Let each feed's queue bind to the fanout before the first payment.
    await waitFor(() => webs.every((web) => web.feed.listenerCount("payment") > 0), 5000, "the feeds");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const placed = (
      await Promise.all(
        webs.map((web) =>
          Promise.all(
            Array.from({ length: ORDERS_PER_DOOR }, (_, i) =>
              acceptOrder({ item: i % 2 ? "book" : "tea", quantity: 1 + (i % 3) }, "api", web.outbox),
            ),
          ),
        ),
      )
    ).flat();
    const ids = new Set(placed.map((order) => order.orderId));
    assert.equal(ids.size, DOORS * ORDERS_PER_DOOR);
    const [first] = webs;
    assert.ok(first);
    await waitFor(
      async () => (await first.store.payments.counts()).payments >= ids.size,
      90_000,
      "every order to be paid",
    );
    const paid = await first.store.payments.recent(ids.size + 10);
    assert.equal(paid.length, ids.size, "one payment per order, none more");
    assert.deepEqual(new Set(paid.map((p) => p.orderId)), ids);
    await waitFor(
      () => webs.every((web) => [...ids].every((id) => web.seen.has(id))),
      30_000,
      "every payment on every web side's feed",
    );
    // A confirm is recorded up to a moment after the broker may already have delivered the order
    // (outcomes ride the next batch's transaction): waited for, not read once (1 run in 4 saw 300).
    await waitFor(
      async () => (await first.store.orders.pending()) === 0,
      30_000,
      "every order confirmed by the broker",
    );
    for (const [i, worker] of workers.entries()) {
      const out = worker.output();
      assert.doesNotMatch(
        out,
        /failed \(attempt|handler failed|could not|Error/,
        `worker ${i} reported a failure:\n${out}`,
      );
    }
  });
});
