import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import type { Payment } from "../../lib/payments/decide";
import { type Metrics, metricValue, parseMetrics, scrapeMetrics } from "../../scripts/bench/metrics";
import { type CapturedProcess, startWorkerProcess } from "../helpers/child-process";
import { AMQP_URL, deleteQueueAndDlq, ownWebProcessEnv, waitFor } from "./harness";

/**
 * The counters move when an order is paid, on the real pipeline (real
 * broker, real SQLite file, the process's own wiring), and what
 * `GET /api/metrics` answers parses as Prometheus text
 * (parse-prometheus-text-format, plus a check that it dropped no line).
 */
const { queue, dir } = ownWebProcessEnv("metrics");
delete process.env.WARREN_METRICS_TOKEN;

type ProcessModule = typeof import("../../lib/process");

async function scrapeRoute(): Promise<Metrics> {
  const { GET } = await import("../../app/api/metrics/route");
  const res = await GET(new Request("http://localhost/api/metrics"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

/** `name{labels}` of every sample, with its value (histograms: their count). */
function snapshot(families: Metrics, names: Array<[string, Record<string, string>?]>) {
  return Object.fromEntries(
    names.map(([name, labels = {}]) => [`${name}${JSON.stringify(labels)}`, metricValue(families, name, labels) ?? 0]),
  );
}

async function publishRaw(body: string, messageId?: string) {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from(body), { persistent: true, messageId, contentType: "application/json" });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

describe("metrics of a web process: orders, payments, duplicates, conflicts, dead letters", { timeout: 90_000 }, () => {
  let rt: ReturnType<ProcessModule["startWarren"]>;

  before(async () => {
    // A web process as instrumentation.ts builds it: outbox relay, consumer, live parts, metrics.
    rt = (await import("../../lib/process")).startWarren("web");
    await waitFor(
      () => rt.publisher.ready && rt.consumer?.stats.running === true,
      15_000,
      "the publisher and the consumer",
    );
  });

  after(async () => {
    // Stopped first: a live consumer whose queue is deleted re-declares it on the shared broker.
    await rt.close();
    await deleteQueueAndDlq(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts an order from acceptance to payment, and what the ledger absorbed or refused", async () => {
    const watched: Array<[string, Record<string, string>?]> = [
      ["warren_orders_accepted_total"],
      ["warren_orders_confirmed_total"],
      ["warren_order_confirm_seconds"],
      ["warren_payments_recorded_total"],
      ["warren_payment_duplicates_total"],
      ["warren_payment_conflicts_total"],
      ["warren_dead_lettered_total", { reason: "conflict" }],
      ["warren_dead_lettered_total", { reason: "not_json" }],
      ["warren_deliveries_received_total"],
      ["warren_deliveries_acked_total"],
      ["warren_db_commit_seconds", { tx: "outbox_write" }],
      ["warren_db_commit_seconds", { tx: "ledger_batch" }],
      ["warren_db_fsync_seconds"],
    ];
    const before = snapshot(await scrapeRoute(), watched);

    // Through the door both the form's action and POST /api/orders use.
    const { orders } = await import("../../lib/orders");
    const order = await orders.accept({ item: "metrics-book", quantity: 2 }, "api");
    await waitFor(
      () => rt.ledger?.recent(100).some((p) => p.orderId === order.orderId) ?? false,
      15_000,
      "the payment",
    );

    // The same order again, as a redelivery or a producer's retry would bring it: absorbed.
    const body = JSON.stringify({
      orderId: order.orderId,
      item: order.item,
      quantity: order.quantity,
      placedAt: order.placedAt,
    });
    await publishRaw(body, order.orderId);
    // Same order id, another body: a conflict, dead-lettered. And a message that is not JSON.
    await publishRaw(JSON.stringify({ orderId: order.orderId, item: "something else", quantity: 9 }), randomUUID());
    await publishRaw("{not json", randomUUID());
    await waitFor(
      () =>
        rt.consumer?.stats.deadLettered === 2 &&
        rt.consumer.stats.duplicates === 1 &&
        rt.consumer.stats.paid === 1 &&
        rt.outbox?.stats.published === 1,
      15_000,
      "the duplicate and both dead letters",
    );

    const families = await scrapeRoute();
    const now = snapshot(families, watched);
    const moved = (key: string) => (now[key] ?? 0) - (before[key] ?? 0);
    assert.equal(moved("warren_orders_accepted_total{}"), 1, "one order accepted");
    assert.equal(moved("warren_orders_confirmed_total{}"), 1, "one order confirmed by the broker");
    assert.equal(moved("warren_order_confirm_seconds{}"), 1, "its confirm latency observed");
    assert.equal(moved("warren_payments_recorded_total{}"), 1, "one payment recorded");
    assert.equal(moved("warren_payment_duplicates_total{}"), 1, "the re-sent order absorbed as a duplicate");
    assert.equal(moved("warren_payment_conflicts_total{}"), 1, "the different body counted as a conflict");
    assert.equal(moved('warren_dead_lettered_total{"reason":"conflict"}'), 1, "dead-lettered as a conflict");
    assert.equal(moved('warren_dead_lettered_total{"reason":"not_json"}'), 1, "dead-lettered as not JSON");
    assert.equal(moved("warren_deliveries_received_total{}"), 4, "four deliveries");
    assert.ok(moved("warren_deliveries_acked_total{}") >= 4, "each settled with an ack");
    assert.ok(moved('warren_db_commit_seconds{"tx":"outbox_write"}') >= 1, "the outbox commit timed");
    assert.ok(moved('warren_db_commit_seconds{"tx":"ledger_batch"}') >= 2, "the ledger commits timed");
    assert.ok(moved("warren_db_fsync_seconds{}") >= 1, "the WAL syncs timed");

    assert.equal(metricValue(families, "warren_broker_up", { link: "publish" }), 1);
    assert.equal(metricValue(families, "warren_broker_up", { link: "consume" }), 1);
    assert.equal(metricValue(families, "warren_consumer_running"), 1);
    assert.equal(metricValue(families, "warren_deliveries_in_flight"), 0);
    assert.equal(metricValue(families, "warren_sse_clients"), 0);
    for (const name of ["nodejs_eventloop_lag_p99_seconds", "process_resident_memory_bytes"]) {
      assert.ok((metricValue(families, name) ?? -1) >= 0, `${name} is exposed`);
    }
    assert.equal(families.warren_payments_recorded_total?.type, "counter");
    assert.equal(families.warren_order_confirm_seconds?.type, "histogram");
    assert.equal(families.warren_outbox_pending?.type, "gauge");
    await waitFor(
      async () => metricValue(await scrapeRoute(), "warren_outbox_pending") === 0,
      10_000,
      "an empty outbox",
    );
    assert.equal(metricValue(await scrapeRoute(), "warren_outbox_oldest_age_seconds"), 0);
  });
});

describe("`npm run worker` serves its own metrics", { timeout: 90_000 }, () => {
  const workerQueue = `${queue}.worker`;
  const dbPath = join(dir, "worker.db");
  let worker: CapturedProcess;
  let feed: amqp.ChannelModel;
  const paidSeen = new Set<string>();

  before(async () => {
    worker = startWorkerProcess({
      ORDER_QUEUE: workerQueue,
      WARREN_DB_PATH: dbPath,
      AMQP_URL,
      WORKER_METRICS_PORT: "0",
    });
    await waitFor(
      () =>
        worker.output().includes(`consuming ${workerQueue}`) &&
        /metrics on http:\/\/[^:]+:\d+\/metrics/.test(worker.output()),
      30_000,
      "the worker to consume and serve metrics",
    );
    // What a dashboard learns a payment from: the worker's events on the payments fanout.
    feed = await amqp.connect(AMQP_URL);
    const channel = await feed.createChannel();
    const { queue: events } = await channel.assertQueue("", { exclusive: true });
    await channel.bindQueue(events, PAYMENT_EVENTS_EXCHANGE, "");
    await channel.consume(
      events,
      (message) => {
        if (!message || message.fields.routingKey !== workerQueue) return;
        for (const payment of [JSON.parse(message.content.toString())].flat() as Payment[])
          paidSeen.add(payment.orderId);
      },
      { noAck: true },
    );
  });

  after(async () => {
    await worker.stop();
    await feed.close().catch(() => {});
    await deleteQueueAndDlq(workerQueue);
  });

  it("counts the payments it records, on WORKER_METRICS_PORT, in JSON log lines", async () => {
    const port = /metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(worker.output())?.[1];
    const baseUrl = `http://127.0.0.1:${port}`;
    assert.equal(metricValue(await scrapeMetrics(baseUrl, "/metrics"), "warren_payments_recorded_total"), 0);

    const orderId = randomUUID();
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(workerQueue, Buffer.from(JSON.stringify({ orderId, item: "book" })), { persistent: true });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    // The event goes out after the commit is on disk and counted.
    await waitFor(() => paidSeen.has(orderId), 15_000, "the worker's payment event");
    const families = await scrapeMetrics(baseUrl, "/metrics");
    assert.equal(metricValue(families, "warren_payments_recorded_total"), 1);
    assert.equal(metricValue(families, "warren_broker_up", { link: "consume" }), 1);
    assert.equal((await fetch(`${baseUrl}/other`)).status, 404);

    // Not a terminal: one JSON object per line, with a level and the part that wrote it.
    const line =
      worker
        .output()
        .split("\n")
        .find((l) => l.includes(`consuming ${workerQueue}`)) ?? "";
    const entry = JSON.parse(line) as { level: number; part: string; msg: string };
    assert.equal(entry.level, 30);
    assert.equal(entry.part, "consumer");
  });
});

describe("a worker whose metrics port is taken", { timeout: 60_000 }, () => {
  it("serves its metrics on a free port instead, and says which", async () => {
    // What the second `npm run worker` on a machine meets: the port (9464 by default) already bound.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "0.0.0.0", resolve));
    const takenPort = (taken.address() as AddressInfo).port;
    const takenQueue = `${queue}.taken-port`;
    const worker = startWorkerProcess({
      ORDER_QUEUE: takenQueue,
      WARREN_DB_PATH: join(dir, "taken-port.db"),
      AMQP_URL,
      WORKER_METRICS_PORT: String(takenPort),
    });
    try {
      await waitFor(
        () =>
          worker.output().includes(`consuming ${takenQueue}`) &&
          /metrics on http:\/\/[^:]+:\d+\/metrics/.test(worker.output()),
        30_000,
        "the worker to consume and serve metrics",
      );
      const line =
        worker
          .output()
          .split("\n")
          .find((l) => l.includes(`metrics port ${takenPort} is taken`)) ?? "";
      assert.ok(line, `a warning names the taken port:\n${worker.output()}`);
      assert.equal((JSON.parse(line) as { level: number }).level, 40, "a warning, not an error");
      const port = Number(/metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(line)?.[1]);
      assert.ok(port > 0 && port !== takenPort, `another port: ${port}`);
      const families = await scrapeMetrics(`http://127.0.0.1:${port}`, "/metrics");
      assert.equal(metricValue(families, "warren_payments_recorded_total"), 0);
    } finally {
      await worker.stop();
      await new Promise((resolve) => taken.close(resolve));
      await deleteQueueAndDlq(takenQueue);
    }
  });
});
