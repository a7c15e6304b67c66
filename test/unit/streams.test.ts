import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { liveStream, maxStreamsPerClient, maxStreamsTotal, StreamRegistry } from "../../lib/events/streams";

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

describe("a live stream's slot", () => {
  let registry = new StreamRegistry();
  // Whatever a test left open ends (its heartbeat timer would keep the runner alive).
  afterEach(() => {
    registry.endAll();
    registry = new StreamRegistry();
  });

  it("is given back at once when the client left before the stream opened", () => {
    const gone = new AbortController();
    gone.abort();
    let unsubscribed = 0;
    liveStream(
      new Request("http://warren.test/api/events", { signal: gone.signal }),
      anonymous("left-early"),
      () => () => unsubscribed++,
      registry,
    );
    assert.equal(registry.size, 0, "no slot held for a client that is gone");
    assert.equal(unsubscribed, 1, "and no subscription left behind");
  });

  it("is held while the client is there, and given back when it leaves", () => {
    const client = new AbortController();
    liveStream(
      new Request("http://warren.test/api/events", { signal: client.signal }),
      anonymous("stays"),
      () => () => {},
      registry,
    );
    assert.equal(registry.size, 1);
    client.abort();
    assert.equal(registry.size, 0);
  });
});
