import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateDeriver } from "../../lib/history/rates";

describe("RateDeriver memory", () => {
  it("forgets queues not sampled for a while: what it keeps is bounded by the queues seen lately", () => {
    const forgetAfterMs = 60_000;
    const deriver = new RateDeriver(forgetAfterMs);
    const depth = { ready: 1, consumers: 0 };
    // A thousand queues sampled once each (opened once, then deleted or untracked).
    for (let i = 0; i < 1000; i++) deriver.derive(`gone-${i}`, 0, depth, null);
    assert.equal(deriver.size, 1000);
    // One queue sampled every second for three periods: the others are never asked about again.
    for (let at = 1000; at <= 3 * forgetAfterMs; at += 1000) deriver.derive("kept", at, depth, null);
    assert.equal(deriver.size, 1, "only the queue still sampled is kept");
    // And it still derives its rates.
    assert.equal(deriver.derive("kept", 3 * forgetAfterMs + 1000, { ready: 3, consumers: 0 }, null).publish, 2);
  });

  it("draws no rate across a gap longer than it keeps a sample", () => {
    const deriver = new RateDeriver(60_000);
    deriver.derive("q", 0, { ready: 0, consumers: 0 }, null);
    // Another queue's sample at 50 s: q's is not yet past the period then, and is still kept at 70 s.
    deriver.derive("other", 50_000, { ready: 0, consumers: 0 }, null);
    assert.equal(deriver.derive("q", 70_000, { ready: 70, consumers: 0 }, null).source, null);
    assert.equal(deriver.derive("q", 71_000, { ready: 72, consumers: 0 }, null).publish, 2);
  });
});
