import { cachedStatement, type Db } from "../db";
import type { AbsorbedMinute, HopTimes, OrderTimes, TimingStore } from "../store";
import { clusteredSpread, hopTimesColumns } from "../timing-sql";

/**
 * Where the time goes and what exactly-once costs, on SQLite. Every read is bounded: the
 * latency window finds its first payment through `payments_paid` and reads at most
 * `sample` payments by primary key, in runs of neighbouring ones (each joined by key to its
 * order, paying delivery and ack); the absorbed series reads `absorbed` through its time index.
 */
export function sqliteTiming(db: Db): TimingStore {
  const hopsSql = `SELECT ${hopTimesColumns} WHERE p.order_id IN (SELECT value FROM json_each(?))`;
  const bySeqSql = `SELECT ${hopTimesColumns} WHERE p.seq IN (SELECT value FROM json_each(?)) AND p.paid_at >= ?`;
  const rangeSql = `SELECT ${hopTimesColumns} WHERE p.seq >= ? AND p.paid_at >= ?`;
  return {
    orderTimesOf: async (orderIds) =>
      orderIds.length === 0
        ? []
        : cachedStatement<[string], OrderTimes>(
            db,
            `SELECT order_id AS "orderId", placed_at AS "placedAt", confirmed_at AS "confirmedAt"
               FROM orders WHERE order_id IN (SELECT value FROM json_each(?))`,
          ).all(JSON.stringify(orderIds)),
    hopsOf: async (orderIds) =>
      orderIds.length === 0 ? [] : cachedStatement<[string], HopTimes>(db, hopsSql).all(JSON.stringify(orderIds)),
    paidSince: async (since, sample) => {
      const first = cachedStatement<[number], { seq: number }>(
        db,
        "SELECT seq FROM payments WHERE paid_at >= ? ORDER BY paid_at LIMIT 1",
      ).get(since);
      if (!first) return { total: 0, rows: [] };
      const last = cachedStatement<[], { seq: number }>(db, "SELECT MAX(seq) AS seq FROM payments").get();
      const span = (last?.seq ?? first.seq) - first.seq + 1;
      if (span <= sample) {
        const rows = cachedStatement<[number, number], HopTimes>(db, rangeSql).all(first.seq, since);
        return { total: rows.length, rows };
      }
      // In runs of neighbouring payments: this read runs on the web process's event loop (clusteredSpread).
      const seqs = clusteredSpread(first.seq, span, sample);
      return {
        total: span,
        rows: cachedStatement<[string, number], HopTimes>(db, bySeqSql).all(JSON.stringify(seqs), since),
      };
    },
    recordClientRetry: async ({ orderId, at }) => {
      cachedStatement<[number, string | null]>(
        db,
        "INSERT INTO absorbed (at, cause, kind, order_id) VALUES (?, 'client_retry', 'duplicate', ?)",
      ).run(at, orderId);
    },
    absorbedSince: async (since) =>
      cachedStatement<[number], AbsorbedMinute>(
        db,
        `SELECT (at / 60000) * 60000 AS minute, cause, kind, COUNT(*) AS count
           FROM absorbed WHERE at >= ? GROUP BY minute, cause, kind ORDER BY minute`,
      ).all(since),
    // In chunks, the event loop running between them: the first prune of a large file (rows kept
    // since before pruning existed) must not hold the write lock, or this process, for seconds.
    pruneAbsorbed: async (before) => {
      const chunk = cachedStatement<[number]>(
        db,
        "DELETE FROM absorbed WHERE id IN (SELECT id FROM absorbed WHERE at < ? ORDER BY at LIMIT 5000)",
      );
      let deleted = 0;
      for (;;) {
        const { changes } = chunk.run(before);
        deleted += changes;
        if (changes < 5000) return deleted;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
