import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HopObserver } from "../../lib/books/hop-observer";
import type { HopTimes } from "../../lib/store/store";

/**
 * The hop observer through its public face only (note, tick, the observe callback), with the
 * store's reads faked as rows in the shapes both backends answer: PostgreSQL gives `external`
 * as a boolean, SQLite as 0/1.
 */
const row = (orderId: string, over: Partial<HopTimes>): HopTimes => ({
  orderId,
  placedAt: 1000,
  external: false,
  confirmedAt: 1010,
  deliveredAt: 1030,
  paidAt: 1060,
  ackedAt: 1100,
  ...over,
});

/** An observer of one order whose stored row is `stored`; `later` moves its clock. */
function observerOf(stored: HopTimes) {
  let now = 50_000;
  const seen: string[] = [];
  const observer = new HopObserver({
    reads: { hopsOf: async (ids) => (ids.includes(stored.orderId) ? [stored] : []) },
    observe: (hop) => seen.push(hop),
    settleMs: 10_000,
    now: () => now,
  });
  observer.note(stored.orderId);
  return {
    observer,
    seen,
    later: (ms: number) => {
      now += ms;
    },
  };
}

describe("hop observer: an external producer's order", () => {
  it("is observed on the first pass once acked, with no confirm hop, whether `external` is true or 1", async () => {
    for (const external of [true, 1] as const) {
      const { observer, seen } = observerOf(row("ext", { external, confirmedAt: null }));
      await observer.tick();
      assert.equal(observer.observed, 1, `external = ${external}: observed without waiting settleMs`);
      assert.deepEqual(seen, ["delivered_paid", "paid_acked", "total"]);
    }
  });

  it("still waits for its ack (until settleMs), and an own order still waits for its confirm", async () => {
    for (const stored of [
      row("ext-unacked", { external: 1, confirmedAt: null, ackedAt: null }),
      row("own-unconfirmed", { external: false, confirmedAt: null }),
    ]) {
      const { observer, seen, later } = observerOf(stored);
      await observer.tick();
      later(9_999);
      await observer.tick();
      assert.equal(observer.observed, 0, `${stored.orderId}: not before settleMs`);
      later(1);
      await observer.tick();
      assert.equal(observer.observed, 1, `${stored.orderId}: after settleMs, with what is known`);
      assert.ok(seen.includes("delivered_paid"));
    }
  });
});
