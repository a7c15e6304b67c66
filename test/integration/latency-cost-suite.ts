import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import type { CostSeries } from "../../lib/books/cost";
import { HOPS, type HopStats, type LatencyReport } from "../../lib/books/latency";
import { orderPublishOptions } from "../../lib/orders/message";
import type { PlacedOrder } from "../../lib/orders/types";
import type { AbsorbedMinute } from "../../lib/store/store";
import { metricValue, parseMetrics } from "../../scripts/bench/metrics";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, deleteQueueAndDlq, ownWebProcessEnv, waitFor } from "./harness";

/**
 * Where the time goes and the cost of exactly-once, on the real pipeline: a web process as
 * instrumentation.ts builds it (outbox relay, consumer, metrics) on the real broker and a
 * real SQLite file or a PostgreSQL database made for the run, each duplicate made the way
 * it happens in life. One suite, two files (latency-cost*.test.ts): one backend per process.
 */
const { queue, dir } = ownWebProcessEnv("latency");
delete process.env.WARREN_METRICS_TOKEN;
delete process.env.DATABASE_URL;

type ProcessModule = typeof import("../../lib/process");

async function metrics() {
  const { GET } = await import("../../app/api/metrics/route");
  const res = await GET(new Request("http://localhost/api/metrics"));
  assert.equal(res.status, 200);
  return parseMetrics(await res.text());
}

async function json<T>(path: "latency" | "cost"): Promise<T> {
  const { GET } =
    path === "latency"
      ? await import("../../app/api/books/latency/route")
      : await import("../../app/api/books/cost/route");
  const res = await GET(new Request(`http://localhost/api/books/${path}`));
  assert.equal(res.status, 200);
  return (await res.json()) as T;
}

const byCause = (rows: AbsorbedMinute[]) => {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[`${row.cause}/${row.kind}`] = (counts[`${row.cause}/${row.kind}`] ?? 0) + row.count;
  return counts;
};

export function latencyCostSuite(backend: "sqlite" | "postgres") {
  describe(`where the time goes and what exactly-once costs, on the real broker (${backend})`, {
    timeout: 120_000,
    skip: backend === "postgres" && PG_SKIP,
  }, () => {
    let rt: ReturnType<ProcessModule["startWarren"]>;
    let raw: amqp.ChannelModel;
    let database: TestDatabase | undefined;

    before(async () => {
      if (backend === "postgres") {
        database = await createTestDatabase("warren_latency");
        process.env.DATABASE_URL = database.url();
      }
      rt = (await import("../../lib/process")).startWarren("web");
      await waitFor(
        () => rt.publisher.ready && rt.consumer?.stats.running === true,
        15_000,
        "the publisher and the consumer",
      );
      raw = await amqp.connect(AMQP_URL);
    });

    after(async () => {
      // Stopped first: a live consumer whose queue is deleted re-declares it on the shared broker.
      await rt.close();
      await raw.close();
      await deleteQueueAndDlq(queue);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const paid = async (orderId: string) => (await rt.store.payments.recent(500)).some((p) => p.orderId === orderId);

    async function publishRaw(order: PlacedOrder) {
      const channel = await raw.createConfirmChannel();
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(order)), orderPublishOptions(order));
      await channel.waitForConfirms();
      await channel.close();
    }

    it("orders paid end to end give per-hop percentiles in the API, and hop histograms counting each order once", async () => {
      const { orders } = await import("../../lib/orders");
      const placed = await Promise.all(
        Array.from({ length: 6 }, (_, i) => orders.accept({ item: `latency-${i}`, quantity: 1 }, "api")),
      );
      await waitFor(
        async () => (await Promise.all(placed.map((o) => paid(o.orderId)))).every(Boolean),
        15_000,
        "the payments",
      );
      // The observer reads each order once its ack time and confirm are written.
      await waitFor(
        async () => metricValue(await metrics(), "warren_order_hop_seconds", { hop: "total" }) === placed.length,
        15_000,
        "the hop histograms",
      );
      const families = await metrics();
      assert.equal(families.warren_order_hop_seconds?.type, "histogram");
      for (const hop of HOPS) {
        assert.equal(
          metricValue(families, "warren_order_hop_seconds", { hop }),
          placed.length,
          `${hop}: one per order`,
        );
      }

      const report = await json<LatencyReport>("latency");
      const minute = report.windows.find((w) => w.windowMs === 60_000);
      assert.equal(minute?.paid, placed.length);
      assert.equal(minute?.sampled, placed.length);
      for (const hop of HOPS) {
        const stats: HopStats | undefined = minute?.hops.find((h) => h.hop === hop);
        assert.equal(stats?.count, placed.length, `${hop} counted for every paid order`);
        assert.equal(typeof stats?.p50, "number");
        assert.ok((stats?.p50 ?? -1) <= (stats?.p95 ?? -1) && (stats?.p95 ?? -1) <= (stats?.p99 ?? -1));
        assert.equal(
          stats?.buckets.reduce((a: number, b: number) => a + b, 0),
          placed.length,
        );
      }
      assert.equal(report.windows.find((w) => w.windowMs === 3_600_000)?.paid, placed.length);
    });

    it("puts a broker redelivery, an outbox re-publish, a client retry and a producer resend each in its own bucket", async () => {
      const { orders } = await import("../../lib/orders");
      const absorbedBefore = byCause(await rt.store.timing.absorbedSince(0));
      assert.deepEqual(absorbedBefore, {}, "nothing absorbed yet");

      // 1. Client retry: the same Idempotency-Key and body again gets the first answer, no second order.
      const key = randomUUID();
      const first = await orders.accept({ item: "retry-book", quantity: 1 }, "api", { idempotencyKey: key });
      const again = await orders.accept({ item: "retry-book", quantity: 1 }, "api", { idempotencyKey: key });
      assert.equal(again.orderId, first.orderId);
      assert.equal(again.replayed, true);
      await waitFor(() => paid(first.orderId), 15_000, "the retried order's payment");

      // 2. Broker redelivery: a copy of a paid order taken by another consumer that closes its channel
      //    before acking; the broker gives it back marked redelivered, and Warren's consumer gets it.
      const consumer = rt.consumer;
      assert.ok(consumer);
      await consumer.pause();
      await publishRaw({ ...first, placedAt: first.placedAt });
      const taker = await raw.createChannel();
      const got = await waitForGet(taker);
      assert.equal(got.fields.redelivered, false);
      await taker.close(); // unacked: requeued, redelivered = true
      await consumer.resume();

      // 3. Producer resend: another copy of a paid Warren order (published once), not redelivered.
      const resent = await orders.accept({ item: "resent-book", quantity: 3 }, "api");
      await waitFor(() => paid(resent.orderId), 15_000, "the resent order's payment");
      await publishRaw({
        orderId: resent.orderId,
        item: resent.item,
        quantity: resent.quantity,
        placedAt: resent.placedAt,
      });

      // 4. Outbox re-publish: a relay published an order and died before its confirm was recorded;
      //    its lease ran out, and this process's relay claims the row and sends it again.
      const republished: PlacedOrder = {
        orderId: randomUUID(),
        item: "republished-book",
        quantity: 2,
        placedAt: Date.now(),
      };
      await rt.store.orders.accept(
        {
          orders: [{ order: republished, source: "api", body: JSON.stringify(republished) }],
          lease: { owner: "relay-that-died", until: 0 },
          outcomes: [],
          at: Date.now(),
        },
        (_attempts, at) => at,
      );
      await publishRaw(republished); // the dead relay's publish, which reached the broker
      await waitFor(
        async () => Object.values(byCause(await rt.store.timing.absorbedSince(0))).reduce((a, b) => a + b, 0) === 4,
        20_000,
        "four absorbed duplicates",
      );

      const expected = {
        "broker_redelivery/duplicate": 1,
        "client_retry/duplicate": 1,
        "outbox_republish/duplicate": 1,
        "producer_resend/duplicate": 1,
      };
      assert.deepEqual(byCause(await rt.store.timing.absorbedSince(0)), expected);
      // The counters move once the consumer has the batch's outcome (after the commit is on disk).
      const causes = ["broker_redelivery", "client_retry", "outbox_republish", "producer_resend"];
      await waitFor(
        async () => {
          const families = await metrics();
          return causes.every(
            (cause) => metricValue(families, "warren_absorbed_total", { cause, kind: "duplicate" }) !== null,
          );
        },
        10_000,
        "the absorbed counters",
      );
      const families = await metrics();
      for (const cause of causes) {
        assert.equal(metricValue(families, "warren_absorbed_total", { cause, kind: "duplicate" }), 1, cause);
      }
      // The dashboard's series (cached for 2 s: wait for a fresh one).
      await waitFor(
        async () => {
          const cost = await json<CostSeries>("cost");
          return Object.values(cost.total).every((t) => t.duplicate === 1 && t.conflict === 0);
        },
        10_000,
        "the cost series",
      );
      const cost = await json<CostSeries>("cost");
      assert.equal(cost.minutes, 60);
      for (const c of ["broker_redelivery", "client_retry", "outbox_republish", "producer_resend"] as const) {
        assert.equal(
          cost.perMinute[c].reduce((a, b) => a + b, 0),
          1,
        );
      }

      // The trace shows the absorbed client retry as its own hop.
      const trace = await rt.store.trace.order(first.orderId);
      assert.deepEqual(trace?.hops.filter((h) => h.kind === "client-retry").length, 1);
    });
  });
}

async function waitForGet(channel: amqp.Channel): Promise<amqp.GetMessage> {
  let message: amqp.GetMessage | false = false;
  await waitFor(
    async () => {
      message = await channel.get(queue, { noAck: false });
      return message !== false;
    },
    10_000,
    "the copy in the queue",
  );
  return message as unknown as amqp.GetMessage;
}
