import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maxStreamsPerClient, maxStreamsTotal, StreamRegistry } from "../../lib/events/streams";

describe("live stream caps (defaults: 8 per client, 500 in all)", () => {
  it("the defaults are the README's", () => {
    assert.equal(maxStreamsPerClient(), 8);
    assert.equal(maxStreamsTotal(), 500);
  });

  const streams = new StreamRegistry();

  it("refuses the 501st stream across clients (forged X-Forwarded-For cannot pass the total), and a release frees a slot", () => {
    const releases: Array<() => void> = [];
    try {
      // 500 clients that each look different, as forged X-Forwarded-For headers would.
      for (let i = 0; i < 500; i++) {
        const release = streams.reserve(`10.0.${i >> 8}.${i & 255}`);
        assert.ok(release, `stream ${i + 1} of 500`);
        releases.push(release);
      }
      assert.equal(streams.reserve("one-more"), null, "the 501st is refused");
      const first = releases[0];
      assert.ok(first);
      first();
      first(); // a release is idempotent: it frees one slot, not two
      const again = streams.reserve("one-more");
      assert.ok(again, "a freed slot is usable");
      releases.push(again);
      assert.equal(streams.reserve("and-another"), null, "still 500 at most");
    } finally {
      for (const release of releases) release();
    }
  });

  it("refuses a ninth stream to one client while another client still gets one", () => {
    const releases: Array<() => void> = [];
    try {
      for (let i = 0; i < 8; i++) {
        const release = streams.reserve("tab-hoarder");
        assert.ok(release);
        releases.push(release);
      }
      assert.equal(streams.reserve("tab-hoarder"), null);
      const other = streams.reserve("someone-else");
      assert.ok(other);
      releases.push(other);
    } finally {
      for (const release of releases) release();
    }
  });
});
