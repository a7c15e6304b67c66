import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maxStreamsPerClient, maxStreamsTotal, StreamRegistry } from "../../lib/events/streams";

const anonymous = (client: string) => ({ client, signedIn: false });
const refused = (run: () => unknown) => {
  try {
    run();
    return false;
  } catch (error) {
    return (error as { status?: number }).status === 429;
  }
};

describe("live stream caps (defaults: 8 per client, 500 in all)", () => {
  it("the defaults are the README's", () => {
    assert.equal(maxStreamsPerClient(), 8);
    assert.equal(maxStreamsTotal(), 500);
  });

  const streams = new StreamRegistry();

  it("refuses the 501st anonymous stream across clients, and a release frees a slot", () => {
    const releases: Array<() => void> = [];
    try {
      for (let i = 0; i < 500; i++) releases.push(streams.reserve(anonymous(`10.0.${i >> 8}.${i & 255}`), () => {}));
      assert.ok(
        refused(() => streams.reserve(anonymous("one-more"), () => {})),
        "the 501st is refused",
      );
      const first = releases[0];
      assert.ok(first);
      first();
      first(); // a release is idempotent: it frees one slot, not two
      releases.push(streams.reserve(anonymous("one-more"), () => {}));
      assert.ok(
        refused(() => streams.reserve(anonymous("and-another"), () => {})),
        "still 500 at most",
      );
    } finally {
      for (const release of releases) release();
    }
  });

  it("refuses a ninth stream to one client while another client still gets one", () => {
    const releases: Array<() => void> = [];
    try {
      for (let i = 0; i < 8; i++) releases.push(streams.reserve(anonymous("tab-hoarder"), () => {}));
      assert.ok(refused(() => streams.reserve(anonymous("tab-hoarder"), () => {})));
      releases.push(streams.reserve(anonymous("someone-else"), () => {}));
    } finally {
      for (const release of releases) release();
    }
  });
});
