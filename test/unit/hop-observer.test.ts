import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HopObserver } from "../../lib/books/hop-observer";
import type { OrderTimes } from "../../lib/store/store";

/**
 * The hop observer through its public face only (note, acked, tick, the observe callback), with the
 * store's order-row read faked: an order with no row is another producer's (no confirm will come).
 */
function observerOf(rows: OrderTimes[], settleMs = 10_000) {
  let now = 50_000;
  const seen: Array<[string, number]> = [];
  const asked: string[][] = [];
  const observer = new HopObserver({
    reads: {
      orderTimesOf: async (ids) => {
        asked.push(ids);
        return rows.filter((row) => ids.includes(row.orderId));
      },
    },
    observe: (hop, ms) => seen.push([hop, ms]),
    settleMs,
    now: () => now,
  });
  return {
    observer,
    seen,
    asked,
    hops: () => seen.map(([hop]) => hop),
    later: (ms: number) => {
      now += ms;
    },
  };
}

describe("hop observer", () => {
  it("observes an own order's five hops from its row and the consumer's own times, once", async () => {
    const { observer, seen, asked } = observerOf([{ orderId: "own", placedAt: 1000, confirmedAt: 1010 }]);
    observer.note("own", { placedAt: 999, paidAt: 1060 });
    observer.acked("own", { deliveredAt: 1030, ackedAt: 1100 });
    await observer.tick();
    assert.deepEqual(seen, [
      ["place_confirmed", 10],
      ["confirmed_delivered", 20],
      ["delivered_paid", 30],
      ["paid_acked", 40],
      ["total", 100],
    ]);
    await observer.tick();
    assert.equal(observer.observed, 1, "once");
    assert.deepEqual(asked, [["own"]], "read once, then forgotten");
  });

  it("observes an external producer's order (no row) once acked, with no confirm hop", async () => {
    const { observer, hops } = observerOf([]);
    observer.note("ext", { placedAt: 1000, paidAt: 1060 });
    observer.acked("ext", { deliveredAt: 1030, ackedAt: 1100 });
    await observer.tick();
    assert.equal(observer.observed, 1, "without waiting settleMs");
    assert.deepEqual(hops(), ["delivered_paid", "paid_acked", "total"]);
  });

  it("does not read an order before its ack, and observes it after settleMs with what is known", async () => {
    const { observer, hops, asked, later } = observerOf([]);
    observer.note("unacked", { placedAt: 1000, paidAt: 1060 });
    await observer.tick();
    later(9_999);
    await observer.tick();
    assert.deepEqual(asked, [], "nothing read while it waits for its ack");
    assert.equal(observer.observed, 0);
    later(1);
    await observer.tick();
    assert.equal(observer.observed, 1);
    assert.deepEqual(hops(), [], "no delivery or ack time known: no hop invented");
  });

  it("keeps the delivery time of an order whose ack never comes (its channel died after the commit)", async () => {
    const { observer, seen, later } = observerOf([{ orderId: "lost-ack", placedAt: 1000, confirmedAt: 1010 }]);
    observer.note("lost-ack", { placedAt: 1000, paidAt: 1060, deliveredAt: 1030 });
    later(10_000);
    await observer.tick();
    assert.deepEqual(seen, [
      ["place_confirmed", 10],
      ["confirmed_delivered", 20],
      ["delivered_paid", 30],
    ]);
  });

  it("waits for an own order's confirm until settleMs, re-reading it", async () => {
    const rows: OrderTimes[] = [{ orderId: "own", placedAt: 1000, confirmedAt: null }];
    const { observer, hops, later, asked } = observerOf(rows);
    observer.note("own", { placedAt: 1000, paidAt: 1060 });
    observer.acked("own", { deliveredAt: 1030, ackedAt: 1100 });
    await observer.tick();
    assert.equal(observer.observed, 0, "its confirm is written a moment later");
    (rows[0] as OrderTimes).confirmedAt = 1020;
    later(500);
    await observer.tick();
    assert.equal(observer.observed, 1);
    assert.equal(asked.length, 2);
    assert.ok(hops().includes("place_confirmed"));
  });

  it("ignores acks of orders it was not told were paid here, and bounds what waits", async () => {
    const { observer } = observerOf([]);
    observer.acked("stranger", { deliveredAt: 1, ackedAt: 2 });
    await observer.tick();
    assert.equal(observer.observed, 0);
    const bounded = new HopObserver({ reads: { orderTimesOf: async () => [] }, observe: () => {}, maxPending: 2 });
    for (const id of ["a", "b", "c"]) bounded.note(id, { placedAt: null, paidAt: 1 });
    assert.equal(bounded.dropped, 1);
  });
});
