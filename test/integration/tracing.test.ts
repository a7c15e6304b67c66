import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { parseEnv } from "../../lib/config/env";
import type { Warren } from "../../lib/process";
import { createWarren } from "../../lib/process/warren";
import { startTracing } from "../../lib/tracing/setup";
import type { TracingHandle } from "../../lib/tracing/state";
import { startWorkerProcess } from "../helpers/child-process";
import { type ReceivedSpan, SPAN_KIND, startOtlpReceiver } from "../helpers/otlp-receiver";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/**
 * Distributed tracing end to end (issue 12, part 8), on real parts: a real OTLP/HTTP
 * receiver started here, Warren's real exporter, a real web process (order door, outbox,
 * relay, consumer, SQLite ledger) against the real broker on a queue of its own, and the
 * real `POST /api/orders` handler. The spans are parsed from what the exporter sent.
 */
describe("distributed tracing: one W3C trace from the request to the ledger commit (real OTLP receiver, real broker)", () => {
  const queue = `test.tracing.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-tracing-"));
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: TracingHandle;
  let warren: Warren;
  let post: (request: Request) => Promise<Response>;

  before(async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing({ endpoint: receiver.endpoint, serviceName: "warren-test", scheduledDelayMs: 50 });
    const config = parseEnv({
      AMQP_URL,
      ORDER_QUEUE: queue,
      WARREN_DB_PATH: join(dir, "warren.db"),
      // Never set policies on the shared broker from a test.
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    warren = createWarren(config, "web", { log: () => {} });
    await waitFor(
      () => Boolean(warren.consumer?.stats.running && warren.publisher.ready),
      10_000,
      "the consumer and the publisher",
    );
    post = (await import("../../app/api/orders/route")).POST;
  });

  after(async () => {
    await warren?.close();
    await tracing?.shutdown();
    await deleteQueueAndDlq(queue);
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hex = (bytes: number) => randomBytes(bytes).toString("hex");

  /** Waits until the receiver holds a span of `traceId` matching `match` (the exporter is flushed on each look). */
  async function spanOf(traceId: string, what: string, match: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
    let found: ReceivedSpan | undefined;
    await waitFor(
      async () => {
        await tracing.forceFlush();
        found = receiver.spans.find((span) => span.traceId === traceId && match(span));
        return found !== undefined;
      },
      10_000,
      `${what} in trace ${traceId}`,
    );
    return found as ReceivedSpan;
  }

  /** publish → process → ledger commit of one message, each the parent of the next, all in `traceId`. */
  async function assertMessageChain(traceId: string, orderId: string) {
    const commit = await spanOf(traceId, "the ledger commit span", (s) => s.name === "ledger commit");
    const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
    const consume = inTrace.find((span) => span.spanId === commit.parentSpanId);
    assert.ok(consume, "the ledger commit's parent is in the same trace");
    assert.equal(consume.name, `process ${queue}`);
    assert.equal(consume.kind, SPAN_KIND.consumer);
    assert.equal(consume.attributes["messaging.message.id"], orderId);
    assert.equal(consume.attributes["warren.verdict"], "ack");
    assert.equal(commit.kind, SPAN_KIND.internal);
    assert.ok(Number(commit.attributes["warren.batch.size"]) >= 1);
    return { commit, consume, inTrace };
  }

  it("continues the request's traceparent through the order door, the outbox publish, the consumer and the ledger commit", async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const response = await post(
      new Request("http://127.0.0.1/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpanId}-01` },
        body: JSON.stringify({ item: "traced-book", quantity: 2 }),
      }),
    );
    assert.equal(response.status, 202);
    const { orderId } = (await response.json()) as { orderId: string };

    const { consume, inTrace } = await assertMessageChain(traceId, orderId);
    // The HTTP request's span: without Next around it, the order door is the server span, child of the caller's.
    const accept = inTrace.find((span) => span.name === "orders.accept");
    assert.ok(accept, "the request's span is in the trace");
    assert.equal(accept.parentSpanId, callerSpanId);
    assert.equal(accept.kind, SPAN_KIND.server);
    assert.equal(accept.attributes["warren.order.id"], orderId);
    assert.equal(accept.attributes["warren.order.source"], "api");
    // The relay's publish: a child of the request's span (read back from the outbox row), parent of the consume.
    const publish = inTrace.find((span) => span.spanId === consume.parentSpanId);
    assert.ok(publish, "the consume span's parent is the publish span, through the message's traceparent header");
    assert.equal(publish.name, "publish orders");
    assert.equal(publish.kind, SPAN_KIND.producer);
    assert.equal(publish.parentSpanId, accept.spanId);
    assert.equal(publish.attributes["messaging.message.id"], orderId);
    assert.equal(publish.attributes["messaging.rabbitmq.destination.routing_key"], queue);
    for (const span of [accept, publish, consume]) assert.equal(span.service, "warren-test");

    // The trace page's link: the order row keeps the request's trace id.
    const traced = await warren.store.trace.order(orderId);
    assert.equal(traced?.traceId, traceId);
  });

  it("a row left in the outbox by a relay that died is published later in the trace stored with it", async () => {
    const traceId = hex(16);
    const requestSpanId = hex(8);
    const order = { orderId: `traced-left-${Date.now()}`, item: "left-behind", quantity: 1, placedAt: Date.now() };
    // As a process that stored the order and died before publishing left it: its lease long over.
    await warren.store.orders.accept(
      {
        orders: [
          { order, source: "test", body: JSON.stringify(order), traceparent: `00-${traceId}-${requestSpanId}-01` },
        ],
        lease: { owner: "gone-host/1/dead", until: 0 },
        outcomes: [],
        at: Date.now(),
      },
      (_attempts, at) => at,
    );
    warren.outbox?.sweep(true);
    const { consume, inTrace } = await assertMessageChain(traceId, order.orderId);
    const publish = inTrace.find((span) => span.spanId === consume.parentSpanId);
    assert.ok(publish, "the consume span's parent is the relay's publish span");
    assert.equal(publish.name, "publish orders");
    assert.equal(publish.parentSpanId, requestSpanId);
  });

  it("a message from another producer continues the trace of its traceparent header; one without starts its own", async () => {
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const traceId = hex(16);
      const producerSpanId = hex(8);
      const traced = `traced-ext-${Date.now()}`;
      const untraced = `untraced-ext-${Date.now()}`;
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: traced, item: "ext-tea", quantity: 1 })), {
        persistent: true,
        messageId: traced,
        headers: { traceparent: `00-${traceId}-${producerSpanId}-01` },
      });
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: untraced, item: "ext-tea", quantity: 1 })), {
        persistent: true,
        messageId: untraced,
      });
      await channel.waitForConfirms();

      const { consume } = await assertMessageChain(traceId, traced);
      assert.equal(consume.parentSpanId, producerSpanId);

      let rootId = "";
      await waitFor(
        async () => {
          await tracing.forceFlush();
          rootId =
            receiver.spans.find(
              (s) => s.name === `process ${queue}` && s.attributes["messaging.message.id"] === untraced,
            )?.traceId ?? "";
          return rootId !== "";
        },
        10_000,
        "the consume span of the message without a traceparent",
      );
      const root = await assertMessageChain(rootId, untraced);
      assert.equal(root.consume.parentSpanId, "", "no traceparent: the consume span starts a trace");
      assert.notEqual(rootId, traceId);
    } finally {
      await connection.close();
    }
    assert.deepEqual(receiver.refused, []);
  });

  it("`npm run worker` exports its spans too, continuing the message's trace (same setup, service warren-worker)", async () => {
    const workerQueue = `${queue}.worker`;
    const worker = startWorkerProcess({
      AMQP_URL,
      ORDER_QUEUE: workerQueue,
      WARREN_DB_PATH: join(dir, "worker.db"),
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
      WORKER_METRICS_PORT: "0",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    const connection = await amqp.connect(AMQP_URL);
    try {
      await waitFor(
        () => worker.output().includes(`consuming ${workerQueue}`),
        30_000,
        "the worker to start consuming",
      );
      assert.match(worker.output(), /exporting traces to http:\/\/127\.0\.0\.1:\d+\/v1\/traces as warren-worker/);
      const channel = await connection.createConfirmChannel();
      const traceId = hex(16);
      const producerSpanId = hex(8);
      const orderId = `traced-worker-${Date.now()}`;
      channel.sendToQueue(workerQueue, Buffer.from(JSON.stringify({ orderId, item: "worker-tea", quantity: 1 })), {
        persistent: true,
        messageId: orderId,
        headers: { traceparent: `00-${traceId}-${producerSpanId}-01` },
      });
      await channel.waitForConfirms();
      // The worker's batch processor sends on its own schedule (no flush from here): wait for what it sent.
      let commit: ReceivedSpan | undefined;
      await waitFor(
        () => {
          commit = receiver.spans.find((s) => s.traceId === traceId && s.name === "ledger commit");
          return commit !== undefined;
        },
        15_000,
        "the worker's ledger commit span",
      );
      const consume = receiver.spans.find((s) => s.spanId === commit?.parentSpanId);
      assert.ok(consume);
      assert.equal(consume.name, `process ${workerQueue}`);
      assert.equal(consume.parentSpanId, producerSpanId);
      assert.equal(consume.service, "warren-worker");
      assert.equal(commit?.service, "warren-worker");
    } finally {
      await worker.stop();
      await connection.close();
      await deleteQueueAndDlq(workerQueue);
    }
  });
});
