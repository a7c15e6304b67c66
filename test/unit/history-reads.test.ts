import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { queueHistory } from "../../lib/history";
import { HistoryReads, historyFreshMs, historyReadsOf, MAX_HISTORY_READS } from "../../lib/history/read";
import { holdWarren, releaseWarren } from "../../lib/process/current";
import type { Warren } from "../../lib/process/warren";
import type { HistoryBucket, HistoryStore } from "../../lib/store/store";

/** A history store that counts its reads (the rest is never called by a read). */
function countingStore(): HistoryStore & { reads: string[] } {
  const unused = async () => {
    throw new Error("not used by reads");
  };
  return {
    reads: [],
    async read(queue, from, _to, stepMs): Promise<HistoryBucket[]> {
      this.reads.push(`${queue}@${stepMs}`);
      return [
        {
          at: from,
          ready: this.reads.length,
          readyMax: this.reads.length,
          unacked: 0,
          consumers: 1,
          publish: 1,
          deliver: 1,
          ack: 1,
          rateSource: "derived",
          samples: 1,
        } as HistoryBucket,
      ];
    },
    record: unused,
    rollup: unused,
    track: unused,
    tracked: unused,
    rowCounts: unused,
  };
}

describe("history reads cache", () => {
  it("keeps at most MAX_HISTORY_READS answers, however many made-up queue names are asked for", async () => {
    const store = countingStore();
    const now = 1_000_000_000;
    const reads = new HistoryReads(store, () => now);
    for (let i = 0; i < MAX_HISTORY_READS * 4; i++) await reads.read(`made-up-${i}`, "24h");
    assert.equal(reads.size, MAX_HISTORY_READS);
    // The newest are the ones kept: the last name is served from the cache.
    await reads.read(`made-up-${MAX_HISTORY_READS * 4 - 1}`, "24h");
    assert.equal(store.reads.length, MAX_HISTORY_READS * 4);
  });

  it("reads the store once per (queue, range) and period, and again once the period is over", async () => {
    const store = countingStore();
    let now = 1_000_000_000;
    const reads = new HistoryReads(store, () => now);
    const period = historyFreshMs("30d");
    assert.ok(period >= 30_000 && period <= 60_000, `the 1-min tier's answer lives 30-60 s (${period})`);
    const first = await reads.read("orders", "30d");
    now += period - 1;
    const second = await reads.read("orders", "30d");
    assert.equal(store.reads.length, 1, "two reads within the period: one store read");
    assert.equal(second, first, "the same answer");
    // Another range or queue is its own entry.
    await reads.read("orders", "7d");
    await reads.read("other", "30d");
    assert.equal(store.reads.length, 3);
    now += 1;
    const third = await reads.read("orders", "30d");
    assert.equal(store.reads.length, 4, "a read after the period reads the store again");
    assert.notEqual(third.ready[0], first.ready[0], "and answers the new read");
  });

  it("shares one cache per store (every viewer of the process), drops expired answers and keeps no failure", async () => {
    const store = countingStore();
    assert.equal(historyReadsOf(store), historyReadsOf(store));
    let now = 0;
    let fail = true;
    const flaky: HistoryStore = {
      ...store,
      read: async (...args) => {
        if (fail) throw new Error("database down");
        return store.read(...args);
      },
    };
    const reads = new HistoryReads(flaky, () => now);
    await assert.rejects(reads.read("q", "10m"));
    fail = false;
    await reads.read("q", "10m");
    assert.equal(store.reads.length, 1, "the failed read was not kept");
    for (let i = 0; i < 100; i++) await reads.read(`q${i}`, "10m");
    now += 61_000;
    await reads.read("q", "10m");
    assert.equal(reads.size, 1, "answers past their period are dropped");
  });

  it("serves every viewer's 30-day read in a process from one store read", async () => {
    const store = countingStore();
    store.tracked = async () => ["orders"];
    const warren = { role: "web", store: { history: store } } as unknown as Warren;
    holdWarren(warren);
    try {
      const views = await Promise.all([queueHistory("orders", "30d"), queueHistory("orders", "30d")]);
      await queueHistory("orders", "30d");
      assert.equal(store.reads.length, 1);
      assert.ok(views.every((v) => v.tracked));
    } finally {
      releaseWarren(warren);
    }
  });
});
