import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CAUSES, causeOf, costSeries } from "../../lib/books/cost";
import { bucketIndex, HOP_BUCKETS_MS, hopDurations, percentile, summarizeHops } from "../../lib/books/latency";
import type { HopTimes } from "../../lib/store/store";
import { evenSpread } from "../../lib/store/timing-sql";

const times = (over: Partial<HopTimes> = {}): HopTimes => ({
  orderId: "o",
  placedAt: 1000,
  external: false,
  confirmedAt: 1010,
  deliveredAt: 1030,
  paidAt: 1060,
  ackedAt: 1100,
  ...over,
});

describe("percentiles (nearest rank)", () => {
  it("p50/p95/p99 of 1..100 are 50, 95 and 99; of nothing, null", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 95), 95);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile([], 50), null);
  });

  it("a single value is every percentile; small sets round the rank up", () => {
    assert.equal(percentile([7], 1), 7);
    assert.equal(percentile([7], 99), 7);
    // 3 values: p50 is rank ceil(1.5) = 2, p95 rank 3.
    assert.equal(percentile([1, 2, 30], 50), 2);
    assert.equal(percentile([1, 2, 30], 95), 30);
  });
});

describe("hop durations", () => {
  it("each hop is the gap between its two stages; the whole order is place → ack", () => {
    assert.deepEqual(hopDurations(times()), {
      place_confirmed: 10,
      confirmed_delivered: 20,
      delivered_paid: 30,
      paid_acked: 40,
      total: 100,
    });
  });

  it("an unknown stage leaves its hops out; a delivery stamped before the confirm counts 0, never negative", () => {
    const d = hopDurations(times({ confirmedAt: null, ackedAt: null }));
    assert.equal(d.place_confirmed, null);
    assert.equal(d.confirmed_delivered, null);
    assert.equal(d.delivered_paid, 30);
    assert.equal(d.paid_acked, null);
    assert.equal(d.total, null);
    assert.equal(hopDurations(times({ confirmedAt: 1040 })).confirmed_delivered, 0);
  });

  it("summarizes per hop: counts, percentiles and a histogram on the Prometheus edges", () => {
    const rows = Array.from({ length: 100 }, (_, i) => times({ orderId: `o${i}`, ackedAt: 1060 + i + 1 }));
    rows.push(times({ orderId: "unacked", ackedAt: null }));
    const stats = summarizeHops(rows);
    const acked = stats.find((s) => s.hop === "paid_acked");
    assert.equal(acked?.count, 100);
    assert.equal(acked?.p50, 50);
    assert.equal(acked?.p95, 95);
    assert.equal(acked?.p99, 99);
    assert.equal(acked?.max, 100);
    assert.equal(
      acked?.buckets.reduce((a, b) => a + b, 0),
      100,
    );
    assert.equal(stats.find((s) => s.hop === "delivered_paid")?.count, 101);
    // 1 ms is in the first bucket, 30 001 ms past the last edge (+Inf).
    assert.equal(bucketIndex(1), 0);
    assert.equal(bucketIndex(1.5), 1);
    assert.equal(bucketIndex(30_001), HOP_BUCKETS_MS.length);
  });

  it("spreads a sample evenly over a window's sequence numbers", () => {
    assert.deepEqual(evenSpread(100, 10, 5), [100, 102, 104, 106, 108]);
    assert.equal(new Set(evenSpread(1, 1_000_000, 2000)).size, 2000);
  });
});

describe("cause of an absorbed duplicate or conflict", () => {
  it("the broker's redelivered flag wins over everything", () => {
    assert.equal(causeOf({ redelivered: true, publishes: 3 }), "broker_redelivery");
    assert.equal(causeOf({ redelivered: true, publishes: null }), "broker_redelivery");
  });
  it("not redelivered, sent more than once by Warren's relay: an outbox re-publish", () => {
    assert.equal(causeOf({ redelivered: false, publishes: 2 }), "outbox_republish");
  });
  it("not redelivered, published once or not Warren's order: the producer sent it again", () => {
    assert.equal(causeOf({ redelivered: false, publishes: 1 }), "producer_resend");
    assert.equal(causeOf({ redelivered: false, publishes: null }), "producer_resend");
  });

  it("shapes per-minute rows into a series per cause, ending with the current minute", () => {
    const at = 10 * 60_000 + 30_000;
    const series = costSeries(
      [
        { minute: 10 * 60_000, cause: "client_retry", kind: "duplicate", count: 2 },
        { minute: 9 * 60_000, cause: "broker_redelivery", kind: "duplicate", count: 1 },
        { minute: 9 * 60_000, cause: "broker_redelivery", kind: "conflict", count: 1 },
        { minute: 0, cause: "outbox_republish", kind: "duplicate", count: 5 }, // outside 3 minutes
      ],
      at,
      3,
    );
    assert.equal(series.from, 8 * 60_000);
    assert.deepEqual(series.perMinute.client_retry, [0, 0, 2]);
    assert.deepEqual(series.perMinute.broker_redelivery, [0, 2, 0]);
    assert.deepEqual(series.perMinute.outbox_republish, [0, 0, 0]);
    assert.deepEqual(series.total.broker_redelivery, { duplicate: 1, conflict: 1 });
    assert.equal(series.lastMinute.client_retry, 2);
    assert.deepEqual(Object.keys(series.perMinute).sort(), [...CAUSES].sort());
  });
});
