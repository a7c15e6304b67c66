import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { AlertEvaluator } from "../../lib/alerts/evaluator";
import { ABSORBED_KEPT_MS, COST_MINUTES } from "../../lib/books/cost";
import { auditRows } from "../../lib/messages/records";
import { hashOrder } from "../../lib/payments/decide";
import { holdWarren, releaseWarren } from "../../lib/process/current";
import type { Warren } from "../../lib/process/warren";
import type { AuditStore, WarrenStore } from "../../lib/store/store";
import { clusteredSpread, evenSpread } from "../../lib/store/timing-sql";
import { alertEvaluatorOptions } from "../helpers/alert-evaluator";
import { storeAdapters } from "../helpers/store-adapters";

/**
 * Work done once and bounded, on both backends: the audit export's keyset pages (each test counts
 * what it reads, so a version that re-reads or counts per page fails), the pruning of `absorbed`,
 * and the SQLite latency window's sample read in runs of neighbouring rows.
 */
const adapters = storeAdapters("bounded");

/** The store's audit log, counting the rows it hands out and the COUNTs it runs. */
function counting(audit: AuditStore) {
  const seen = { rows: 0, counts: 0 };
  const wrapped: AuditStore = {
    append: (input) => audit.append(input),
    recent: async (limit, offset) => {
      const rows = await audit.recent(limit, offset);
      seen.rows += rows.length;
      return rows;
    },
    olderThan: async (beforeId, limit) => {
      const rows = await audit.olderThan(beforeId, limit);
      seen.rows += rows.length;
      return rows;
    },
    count: () => {
      seen.counts++;
      return audit.count();
    },
    byActionPrefix: (prefix, limit) => audit.byActionPrefix(prefix, limit),
    forTarget: (target, limit) => audit.forTarget(target, limit),
  };
  return { wrapped, seen };
}

for (const adapter of adapters) {
  describe(`bounded work: ${adapter.name}`, { skip: adapter.skip }, () => {
    let store: WarrenStore;
    beforeEach(async () => {
      store = await adapter.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("exports the audit log a keyset page at a time: every row once, newest first, while entries are appended", async () => {
      const N = 47;
      const PAGE = 10;
      const ids: number[] = [];
      for (let i = 0; i < N; i++) {
        ids.push(await store.audit.append({ actor: "t", action: "export.test", target: `row-${i}`, result: "ok" }));
      }
      const { wrapped, seen } = counting(store.audit);
      const warren = { role: "web", store: { ...store, audit: wrapped } } as unknown as Warren;
      holdWarren(warren);
      try {
        const exported: number[] = [];
        let appended = 0;
        for await (const row of auditRows(true, new AbortController().signal, PAGE)) {
          exported.push(row.id as number);
          // Three new entries every few rows read: an OFFSET page would now start three rows too early.
          if (exported.length % 7 === 0) {
            for (let k = 0; k < 3; k++) {
              await store.audit.append({ actor: "t", action: "export.test", target: "late", result: "ok" });
              appended++;
            }
          }
        }
        assert.ok(appended >= 18, "entries were appended during the export");
        assert.deepEqual(exported, [...ids].reverse(), "every row there at the start, once, newest first");
        assert.equal(seen.rows, N, "each row read from the store once (no page re-read)");
        assert.ok(seen.counts <= 1, `at most one COUNT per export (ran ${seen.counts})`);
      } finally {
        releaseWarren(warren);
      }
    });

    it("prunes absorbed rows older than the cost chart's window and margin, in the alerts leader's round", async () => {
      const now = Date.UTC(2026, 11, 6, 12, 0, 0);
      const minute = 60_000;
      assert.ok(ABSORBED_KEPT_MS > COST_MINUTES * minute, "kept longer than the chart reads");
      const ages = [
        ABSORBED_KEPT_MS + 30 * minute,
        ABSORBED_KEPT_MS + minute,
        ABSORBED_KEPT_MS - minute,
        30 * minute,
        0,
      ];
      for (const [i, age] of ages.entries()) await store.timing.recordClientRetry({ orderId: `o-${i}`, at: now - age });
      const evaluator = new AlertEvaluator(
        alertEvaluatorOptions(store, {
          leader: { check: async () => true, stop: async () => {} },
          orderQueue: `bounded-${adapter.name}-${Date.now()}`,
          now: () => now,
        }),
      );
      assert.equal(await evaluator.round(), true, "the round ran as leader");
      const left = await store.timing.absorbedSince(0);
      assert.deepEqual(
        left.map((m) => m.minute),
        ages.slice(2).map((age) => Math.floor((now - age) / minute) * minute),
        "the two rows past the margin went; the rest stay",
      );
      // What the cost chart reads (its window) is untouched.
      const chart = await store.timing.absorbedSince(now - (COST_MINUTES - 1) * minute);
      assert.equal(
        chart.reduce((sum, m) => sum + m.count, 0),
        2,
      );
      assert.equal(await store.timing.pruneAbsorbed(now + 1), 3, "the store's prune says how many rows went");
      assert.deepEqual(await store.timing.absorbedSince(0), []);
    });
  });
}

describe("latency sample in runs", () => {
  it("clusteredSpread: count distinct numbers inside the span, in at most SAMPLE_RUNS runs spread over it", () => {
    const seqs = clusteredSpread(1, 1_000_000, 2000);
    assert.equal(seqs.length, 2000);
    assert.equal(new Set(seqs).size, 2000);
    assert.ok(seqs.every((s) => s >= 1 && s <= 1_000_000));
    const runs = seqs.filter((s, i) => i === 0 || s !== (seqs[i - 1] ?? 0) + 1);
    assert.equal(runs.length, 20);
    assert.equal(runs[0], 1);
    assert.equal(seqs.at(-1), 1_000_000, "the last run ends the window");
    // Too short a span for runs that do not overlap, or a sample smaller than the runs: an even spread.
    assert.deepEqual(clusteredSpread(1, 2001, 2000), evenSpread(1, 2001, 2000));
    assert.deepEqual(clusteredSpread(100, 10, 5), evenSpread(100, 10, 5));
  });

  it("SQLite reads a big window's sample in runs of neighbouring payments", async () => {
    const [sqlite] = adapters;
    const store = await sqlite.open();
    try {
      const before = Date.now() - 1;
      const n = 3000;
      for (let start = 0; start < n; start += 500) {
        await store.payments.recordBatch(
          Array.from({ length: 500 }, (_, i) => {
            const orderId = `run-${String(start + i).padStart(5, "0")}`;
            return {
              order: { orderId, item: "book", quantity: 1, placedAt: before, bodyHash: hashOrder(orderId, "book", 1) },
              messageId: orderId,
              redelivered: false,
              deliveredAt: before,
            };
          }),
        );
      }
      const { total, rows } = await store.timing.paidSince(before, 200);
      assert.equal(total, n);
      assert.equal(rows.length, 200);
      const index = rows.map((r) => Number(r.orderId.slice(4))).sort((a, b) => a - b);
      const runs = index.filter((v, i) => i === 0 || v !== (index[i - 1] ?? 0) + 1).length;
      assert.ok(runs <= 20, `read in at most 20 runs of neighbours (${runs})`);
      assert.ok((index.at(-1) ?? 0) - (index[0] ?? 0) > n * 0.9, "spread over the whole window");
    } finally {
      await store.close();
    }
  });
});
