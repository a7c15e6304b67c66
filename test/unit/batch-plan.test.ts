import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BatchPlanInput, batchToTake } from "../../lib/payments/batch-plan";

/** `unacked` counts the buffered deliveries too: what the broker counts against the window. */
const plan = (input: Partial<BatchPlanInput> & { buffered: number }) =>
  batchToTake({ flushing: 0, unacked: input.buffered, prefetch: 100, maxFlushes: 2, ...input });

describe("how many buffered deliveries the consumer pays as one batch", () => {
  it("pays a lone delivery at once when no batch is being paid", () => {
    assert.equal(plan({ buffered: 1 }), 1);
  });

  it("waits with a few deliveries while another batch is being paid and the broker owes more", () => {
    assert.equal(plan({ buffered: 3, flushing: 1, unacked: 53 }), 0);
    assert.equal(plan({ buffered: 49, flushing: 1, unacked: 99 }), 0);
  });

  it("goes once it holds its share of the window, and takes no more than that share", () => {
    assert.equal(plan({ buffered: 50, flushing: 1, unacked: 90 }), 50);
    assert.equal(plan({ buffered: 99 }), 50);
    assert.equal(plan({ buffered: 80, flushing: 1, unacked: 100 }), 50);
  });

  it("goes once the window is used up: the broker sends nothing more before the next ack", () => {
    // A crumb in flight holds one delivery: the other 99 are all there is until it is acked.
    assert.equal(plan({ buffered: 30, flushing: 1, unacked: 100 }), 30);
    // Two deliveries wait for a dead-letter copy's confirm; one batch of 40 is being paid.
    assert.equal(plan({ buffered: 20, flushing: 1, unacked: 62, prefetch: 62 }), 20);
  });

  it("never starts more batches than allowed", () => {
    assert.equal(plan({ buffered: 100, flushing: 2 }), 0);
  });

  it("takes everything with an unlimited window", () => {
    assert.equal(plan({ buffered: 700, flushing: 1, unacked: 1000, prefetch: 0 }), 700);
  });

  it("splits a window just made smaller as it is, not in shares of the new one", () => {
    // The operator set prefetch from 1000 to 2 while 1000 deliveries were in hand.
    assert.equal(plan({ buffered: 1000, prefetch: 2 }), 500);
  });

  it("splits an odd window so that every delivery fits in some batch", () => {
    assert.equal(plan({ buffered: 1, prefetch: 1 }), 1);
    assert.equal(plan({ buffered: 3, prefetch: 3 }), 2);
    assert.equal(plan({ buffered: 1, flushing: 1, unacked: 3, prefetch: 3 }), 1);
  });

  it("drains a full window in even batches, never a crumb, when paying is the slow part", () => {
    // A model of the backlog drain: the broker refills what was acked a few deliveries per tick;
    // the consumer finishes its oldest batch every 20 ticks. It asks after every tick. The rule
    // of old (any free slot takes whatever is there) settles into batches of 4, 72 and 24 here.
    const prefetch = 100;
    let buffered = 0;
    let owed = prefetch;
    const inFlight: number[] = [];
    const sizes: number[] = [];
    for (let tick = 1; tick <= 4000; tick++) {
      const arriving = Math.min(owed, 4);
      owed -= arriving;
      buffered += arriving;
      if (tick % 20 === 0 && inFlight.length > 0) owed += inFlight.shift() as number;
      for (;;) {
        const take = batchToTake({
          buffered,
          flushing: inFlight.length,
          unacked: prefetch - owed,
          prefetch,
          maxFlushes: 2,
        });
        if (take === 0) break;
        buffered -= take;
        inFlight.push(take);
        sizes.push(take);
      }
    }
    const late = sizes.slice(10);
    assert.ok(late.length > 100, `batches: ${late.length}`);
    assert.ok(Math.min(...late) >= 40, `smallest later batch: ${Math.min(...late)} (${late.slice(0, 20).join(" ")})`);
    assert.ok(Math.max(...late) <= 50);
  });
});
