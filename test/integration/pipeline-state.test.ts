import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { acceptOrder } from "../../lib/orders/accept";
import { OrderOutbox } from "../../lib/orders/outbox";
import { broadcastControl, type ControlCommand } from "../../lib/payments/control";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { type CapturedProcess, startWorkerProcess } from "../helpers/child-process";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/**
 * The pipeline's pause/resume is stored (issue 11, shared state): `npm run worker` processes
 * started while the pipeline is paused start paused, and a change made by another process
 * (stored, then announced on the control fanout, as the operator's action does) reaches every
 * running worker. The workers' periodic re-read is set to 10 minutes here, so only the stored
 * row read at start and the fanout's wake-up can explain what they do.
 */
describe("stored pipeline state across worker processes on PostgreSQL", { skip: PG_SKIP }, () => {
  const queue = `test.pipeline-state.${process.pid}.${Date.now()}`;
  let database: TestDatabase;
  let store: PostgresStore;
  let link: BrokerLink;
  let publisher: ConfirmPublisher;
  let outbox: OrderOutbox;
  const workers: CapturedProcess[] = [];

  const startWorker = () => {
    const worker = startWorkerProcess({
      AMQP_URL,
      ORDER_QUEUE: queue,
      DATABASE_URL: database.url(),
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
      WORKER_METRICS_PORT: "0",
      WARREN_PIPELINE_POLL_MS: "600000",
    });
    workers.push(worker);
    return worker;
  };

  /** What the operator's action does (lib/queues/operations.ts controlConsumers): store, then announce. */
  const operator = async (command: ControlCommand & { command: "pause" | "resume" }) => {
    await store.pipeline.write(queue, { paused: command.command === "pause" }, { at: Date.now(), by: "test" });
    await broadcastControl(publisher, command, queue);
  };

  const queueState = async () => {
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      return await channel.checkQueue(queue);
    } finally {
      await connection.close();
    }
  };

  before(async () => {
    database = await createTestDatabase("warren_pipestate");
    store = openPostgresStore(database.url(), { max: 4 });
    link = await new BrokerLink({ url: AMQP_URL, name: "test-pipeline-state", queues: [queue] }).start();
    publisher = new ConfirmPublisher(link);
    outbox = new OrderOutbox({ store, publisher, link, queue }).start();
    await waitFor(() => publisher.ready, 10_000, "the publisher");
  });

  after(async () => {
    try {
      await Promise.all(workers.map((worker) => worker.stop()));
      await outbox?.stop();
      await link?.close();
      await store?.close();
      await deleteQueueAndDlq(queue);
    } finally {
      await database?.drop();
    }
  });

  it("a worker started while paused starts paused; a resume and a pause by another process reach every worker", {
    timeout: 120_000,
  }, async () => {
    await store.pipeline.write(queue, { paused: true }, { at: Date.now(), by: "test" });
    const first = startWorker();
    await waitFor(() => first.output().includes(`${queue} is paused (stored)`), 60_000, "the worker to read the state");
    // Its channel is open (the queue is declared by its setup) and it did not subscribe.
    await waitFor(async () => (await queueState().catch(() => null)) !== null, 20_000, "the queue");
    const order = await acceptOrder({ item: "book", quantity: 1 }, "api", outbox);
    await waitFor(async () => (await store.orders.pending()) === 0, 20_000, "the order to be confirmed");
    const held = await queueState();
    assert.equal(held.consumerCount, 0, "a worker started while paused must not consume");
    // At least once: under load the relay may publish an order twice (the ledger absorbs it).
    assert.ok(held.messageCount >= 1, "the order waits on the queue");
    assert.equal((await store.payments.counts()).payments, 0);
    assert.ok(!first.output().includes(`[payments] consuming ${queue}`), "it never subscribed");

    await operator({ command: "resume" });
    await waitFor(
      async () => (await store.payments.recent(5)).some((p) => p.orderId === order.orderId),
      30_000,
      "the order to be paid after the resume",
    );

    const second = startWorker();
    await waitFor(
      () => second.output().includes(`[payments] consuming ${queue}`),
      60_000,
      "a worker started while running",
    );
    await waitFor(async () => (await queueState()).consumerCount === 2, 20_000, "both workers consuming");

    await operator({ command: "pause" });
    await waitFor(async () => (await queueState()).consumerCount === 0, 20_000, "every worker to pause");
    await acceptOrder({ item: "tea", quantity: 2 }, "api", outbox);
    await waitFor(async () => (await store.orders.pending()) === 0, 20_000, "the second order to be confirmed");
    assert.ok((await queueState()).messageCount >= 1, "paused everywhere: the second order waits");
    assert.equal((await store.payments.counts()).payments, 1);
  });
});
