import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RateDeriver } from "../../lib/history/rates";
import { readHistory } from "../../lib/history/read";
import { brokerRates } from "../../lib/history/sample";
import { HISTORY_RANGES, RANGE_KEYS, ROWS_PER_QUEUE_BOUND, tierFor } from "../../lib/history/tiers";
import { toQueueRow } from "../../lib/queues/list";
import { openSqliteStore } from "../../lib/store/sqlite";

const dir = mkdtempSync(join(tmpdir(), "warren-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("history ranges", () => {
  it("reads each range at its own step, from the tier that holds it, one slot per step", async () => {
    const store = openSqliteStore(join(dir, "ranges.db"));
    try {
      const now = 1_800_000_000_000;
      await store.history.record(
        [
          {
            queue: "q",
            at: now - 5000,
            ready: 7,
            unacked: 0,
            consumers: 1,
            publish: 2,
            deliver: 2,
            ack: 2,
            rateSource: "broker",
          },
        ],
        1000,
      );
      const expected = {
        "10m": [1000, 1000, 600],
        "1h": [10_000, 10_000, 360],
        "24h": [60_000, 10_000, 1440],
        "7d": [600_000, 60_000, 1008],
        "30d": [3_600_000, 60_000, 720],
      };
      for (const range of RANGE_KEYS) {
        const view = await readHistory(store.history, "q", range, now);
        assert.deepEqual([view.stepMs, view.tierMs, view.at.length], expected[range], range);
        assert.equal(view.to - view.from, HISTORY_RANGES[range].spanMs);
        assert.equal(view.filled, 1, range);
        assert.equal(view.ready.filter((v) => v !== null).length, 1);
        assert.equal(view.rateSource, "broker");
      }
      // A slot with no sample is null (a gap), never zero.
      const view = await readHistory(store.history, "q", "10m", now);
      assert.equal(view.ready.at(-1), null);
      assert.equal(view.ready.at(-6), 7);
    } finally {
      await store.close();
    }
  });

  it("bounds the rows per queue", () => {
    assert.equal(ROWS_PER_QUEUE_BOUND, 600 + 8640 + 43_200);
    assert.equal(tierFor(600_000), 1000);
  });
});

describe("rates with broker statistics off", () => {
  it("takes the broker's rates only when it gives statistics", () => {
    assert.equal(brokerRates({ name: "q", arguments: {} }), null);
    assert.equal(brokerRates(null), null);
    assert.deepEqual(brokerRates({ name: "q", messages_ready: 0 }), {
      publish: 0,
      deliver: 0,
      ack: 0,
      source: "broker",
    });
    // The queue list shows unknown rates, not zeros, when the broker keeps no statistics.
    assert.equal(toQueueRow({ name: "q", arguments: {} }, new Set()).publishRate, null);
    assert.equal(toQueueRow({ name: "q", messages_ready: 0 }, new Set()).publishRate, 0);
  });

  it("derives the order queue's rates from confirmed publishes, recorded deliveries and the depth", () => {
    const deriver = new RateDeriver();
    assert.equal(
      deriver.derive("orders", 0, { ready: 10, consumers: 1 }, { published: 100, consumed: 50 }).source,
      null,
    );
    // 2 s later: 40 more confirmed, 30 more recorded, ready grew by 6: 17 left ready per second.
    assert.deepEqual(deriver.derive("orders", 2000, { ready: 16, consumers: 1 }, { published: 140, consumed: 80 }), {
      publish: 20,
      deliver: 17,
      ack: 15,
      source: "derived",
    });
  });

  it("derives only what the depth proves for other queues", () => {
    const deriver = new RateDeriver();
    deriver.derive("dlq", 0, { ready: 0, consumers: 0 }, null);
    assert.deepEqual(deriver.derive("dlq", 1000, { ready: 3, consumers: 0 }, null), {
      publish: 3,
      deliver: 0,
      ack: 0,
      source: "derived",
    });
    // With consumers, publish and deliver cannot be told apart from the depth alone.
    assert.equal(deriver.derive("dlq", 2000, { ready: 3, consumers: 2 }, null).source, null);
  });
});

describe("history recorder", () => {
  it("samples Warren's queues from the start and others once opened, within the bound", async () => {
    const { HistoryRecorder } = await import("../../lib/history/recorder");
    const { Leader } = await import("../../lib/process/leader");
    const store = openSqliteStore(join(dir, "recorder.db"));
    try {
      const asked: string[][] = [];
      const recorder = new HistoryRecorder({
        store: store.history,
        leader: new Leader(store.leadership, "history-sampler"),
        pinned: ["orders", "orders.dlq"],
        maxViewed: 2,
        sample: async (names, at) => {
          asked.push(names);
          return samplesOf(names, at);
        },
      });
      await recorder.tick(1_000_000);
      assert.deepEqual(asked.at(-1), ["orders", "orders.dlq"]);
      await recorder.track("a", 1_000_100);
      await recorder.track("b", 1_000_200);
      await recorder.track("c", 1_000_300);
      await recorder.tick(1_001_000);
      assert.deepEqual(asked.at(-1), ["orders", "orders.dlq", "c", "b"]);
      assert.equal(recorder.stats.written, 2 + 4);
      // Warren's own queues are pinned: opening one changes nothing, and they are never dropped.
      await recorder.track("orders", 1_001_500);
      assert.deepEqual(await store.history.tracked(), ["orders", "orders.dlq", "c", "b"]);
      await recorder.stop();
    } finally {
      await store.close();
    }
  });
  it("stop() lets the round under way finish before handing the lease over: never two writers at once", async () => {
    const { HistoryRecorder } = await import("../../lib/history/recorder");
    const { Leader } = await import("../../lib/process/leader");
    const store = openSqliteStore(join(dir, "recorder-stop.db"));
    try {
      // The sample of the round under way is held until the test lets it go.
      let sampling: () => void = () => {};
      const inSample = new Promise<void>((resolve) => {
        sampling = resolve;
      });
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const recorder = new HistoryRecorder({
        store: store.history,
        leader: new Leader(store.leadership, "history-sampler"),
        pinned: ["orders"],
        sample: async (names, at) => {
          sampling();
          await released;
          return samplesOf(names, at);
        },
      });
      const next = new Leader(store.leadership, "history-sampler");
      const round = recorder.tick(1_000_000);
      await inSample;
      let stopped = false;
      const stopping = recorder.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(stopped, false, "stop() waits for the round that is still writing");
      assert.equal(await next.check(), false, "the lease is not handed over while the old leader still writes");
      release();
      await Promise.all([round, stopping]);
      assert.equal(recorder.stats.written, 1, "the round under way finished");
      assert.equal(await next.check(), true, "then the role is free at once");
      await recorder.tick(1_001_000);
      assert.equal(recorder.stats.rounds, 1, "a stopped recorder runs no more rounds");
      await next.stop();
    } finally {
      await store.close();
    }
  });
});

/** One sample per queue: one message ready, no rates. */
function samplesOf(names: string[], at: number) {
  return names.map((queue) => ({
    queue,
    at,
    ready: 1,
    unacked: 0,
    consumers: 0,
    publish: null,
    deliver: null,
    ack: null,
    rateSource: null,
  }));
}
