import type { Pool } from "pg";
import type { AbsorbedMinute, HopTimes, TimingStore } from "../store";
import { evenSpread, hopTimesColumns } from "../timing-sql";

/** Where the time goes and what exactly-once costs, on PostgreSQL (the reads of lib/store/sqlite/timing.ts). */
export class PgTiming implements TimingStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async hopsOf(orderIds: string[]): Promise<HopTimes[]> {
    if (orderIds.length === 0) return [];
    await this.ready();
    const { rows } = await this.pool.query<HopTimes>(`SELECT ${hopTimesColumns} WHERE p.order_id = ANY($1::text[])`, [
      orderIds,
    ]);
    return rows;
  }

  async paidSince(since: number, sample: number): Promise<{ total: number; rows: HopTimes[] }> {
    await this.ready();
    // A sequence number is not commit order with several writers, but close to it: the window's
    // first payment by paid time and the newest sequence number bound the window.
    const { rows: bounds } = await this.pool.query<{ first: number | null; last: number | null }>(
      `SELECT (SELECT seq FROM payments WHERE paid_at >= $1 ORDER BY paid_at LIMIT 1) AS first,
              (SELECT MAX(seq) FROM payments) AS last`,
      [since],
    );
    const first = bounds[0]?.first ?? null;
    if (first === null) return { total: 0, rows: [] };
    const span = (bounds[0]?.last ?? first) - first + 1;
    if (span <= sample) {
      const { rows } = await this.pool.query<HopTimes>(
        `SELECT ${hopTimesColumns} WHERE p.seq >= $1 AND p.paid_at >= $2`,
        [first, since],
      );
      return { total: rows.length, rows };
    }
    const { rows } = await this.pool.query<HopTimes>(
      `SELECT ${hopTimesColumns} WHERE p.seq = ANY($1::bigint[]) AND p.paid_at >= $2`,
      [evenSpread(first, span, sample), since],
    );
    return { total: span, rows };
  }

  async recordClientRetry({ orderId, at }: { orderId: string | null; at: number }): Promise<void> {
    await this.ready();
    await this.pool.query(
      "INSERT INTO absorbed (at, cause, kind, order_id) VALUES ($1, 'client_retry', 'duplicate', $2)",
      [at, orderId],
    );
  }

  async absorbedSince(since: number): Promise<AbsorbedMinute[]> {
    await this.ready();
    const { rows } = await this.pool.query<AbsorbedMinute>(
      `SELECT (at / 60000) * 60000 AS minute, cause, kind, COUNT(*)::int AS count
         FROM absorbed WHERE at >= $1 GROUP BY 1, 2, 3 ORDER BY 1`,
      [since],
    );
    return rows;
  }
}
