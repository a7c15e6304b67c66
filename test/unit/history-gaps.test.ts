import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HistoryPoint, QueueHistory } from "../../lib/queues/history";

const values = (ready: number): Omit<HistoryPoint, "at"> => ({
  ready,
  unacked: 0,
  consumers: 1,
  publish: null,
  deliver: null,
  ack: null,
});

describe("queue history while the broker is away", () => {
  it("records an unreadable tick as a null point (a gap), never a zero, and resumes after it", async () => {
    let mode: "ok" | "throws" | "missing" = "ok";
    const history = new QueueHistory({
      pinned: ["q"],
      sample: async () => {
        if (mode === "throws") throw new Error("broker away");
        return mode === "missing" ? new Map() : new Map([["q", values(2)]]);
      },
    });
    await history.tick(1000);
    mode = "throws";
    await history.tick(6000);
    mode = "missing";
    await history.tick(11_000);
    mode = "ok";
    await history.tick(16_000);
    assert.deepEqual(
      history.series("q").points.map((p) => [p.at, p.ready, p.consumers]),
      [
        [1000, 2, 1],
        [6000, null, null],
        [11_000, null, null],
        [16_000, 2, 1],
      ],
    );
  });

  it("does not invent points for a queue that was never read", async () => {
    const history = new QueueHistory({ pinned: ["q"], sample: async () => new Map() });
    await history.tick(1000);
    assert.equal(history.series("q").points.length, 0);
  });
});
