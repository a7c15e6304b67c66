import type { Pool } from "pg";
import {
  type BookStateRow,
  bookStateColumns,
  type OutboxEntryRow,
  type OutboxOwnerRow,
  type OutboxTotalsRow,
  outboxOldestSql,
  outboxOwnersSql,
  outboxTotalsSql,
  toBookState,
  toOutboxDetail,
  unresolvedSql as unresolved,
} from "../books-sql";
import type { BookState, BooksCursor, HealthStore, OutboxDetail, UnresolvedOrder } from "../store";
import { OUTBOX_BACKLOG_SQL, STATEMENT_NOW } from "./clock";

/** "Unresolved": confirmed by the broker, neither paid nor dead-lettered (as lib/store/sqlite/health.ts). */

type Row = { order_id: string; item: string; confirmed_at: number };
const toOrder = (r: Row): UnresolvedOrder => ({ orderId: r.order_id, item: r.item, confirmedAt: r.confirmed_at });

/**
 * The backlog's totals with the database's clock, and the live leases by that clock: no query of
 * their own for the clock. Every time in these rows is the database's.
 */
const totalsWithClockSql = `SELECT t.*, ${STATEMENT_NOW} AS now FROM (${outboxTotalsSql}) AS t`;
const liveOwnersSql = outboxOwnersSql(STATEMENT_NOW);

/** The health panel's reads on PostgreSQL. */
export class PgHealth implements HealthStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  private async rows<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.ready();
    return (await this.pool.query<R>(sql, params)).rows;
  }

  async unresolvedBefore(cutoff: number, limit: number): Promise<UnresolvedOrder[]> {
    const rows = await this.rows<Row>(
      `SELECT o.order_id, o.item, o.confirmed_at FROM orders o
        WHERE o.confirmed_at < $1 AND ${unresolved} ORDER BY o.confirmed_at ASC LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map(toOrder);
  }

  async countUnresolvedBefore(cutoff: number): Promise<number> {
    const [row] = await this.rows<{ n: number }>(
      `SELECT COUNT(*) AS n FROM orders o WHERE o.confirmed_at < $1 AND ${unresolved}`,
      [cutoff],
    );
    return row?.n ?? 0;
  }

  async unresolvedBetween(from: number, to: number): Promise<UnresolvedOrder[]> {
    const rows = await this.rows<Row>(
      `SELECT o.order_id, o.item, o.confirmed_at FROM orders o
        WHERE o.confirmed_at >= $1 AND o.confirmed_at < $2 AND ${unresolved}`,
      [from, to],
    );
    return rows.map(toOrder);
  }

  async stillUnresolved(orderIds: string[]): Promise<Set<string>> {
    if (orderIds.length === 0) return new Set();
    const rows = await this.rows<{ order_id: string }>(
      `SELECT o.order_id FROM orders o WHERE o.order_id = ANY($1::text[]) AND ${unresolved}`,
      [orderIds],
    );
    return new Set(rows.map((row) => row.order_id));
  }

  async placedAndPaid(): Promise<{ placed: number; paid: number }> {
    const [row] = await this.rows<{ placed: number; paid: number }>(
      "SELECT (SELECT COUNT(*) FROM orders) AS placed, (SELECT COUNT(*) FROM payments) AS paid",
    );
    return row ?? { placed: 0, paid: 0 };
  }

  /** created_at is in the database's clock (./orders.ts): the oldest comes back moved into the caller's (`at`). */
  async outboxBacklog(at: number): Promise<{ waiting: number; oldestAt: number | null }> {
    const [row] = await this.rows<{ n: number; oldest: number | null }>(OUTBOX_BACKLOG_SQL, [at]);
    return { waiting: row?.n ?? 0, oldestAt: row?.oldest ?? null };
  }

  /**
   * Orders in (transaction id, seq) order, only those of transactions older than every one still
   * running: an order of an older transaction cannot become visible behind the cursor later (see
   * PgLedger.since, the payments' resume).
   */
  async ordersAfter(cursor: BooksCursor | null, limit: number): Promise<BooksCursor[]> {
    const [xid = "0", seq = "0"] = cursor?.position.split("/") ?? [];
    const rows = await this.rows<{ order_id: string; xid: string; seq: string }>(
      `SELECT order_id, xid::text AS xid, seq::text AS seq FROM orders
        WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND (xid, seq) > ($1::xid8, $2::bigint)
        ORDER BY xid, seq LIMIT $3`,
      [xid, seq, limit],
    );
    return rows.map((r) => ({ orderId: r.order_id, position: `${r.xid}/${r.seq}` }));
  }

  async bookStates(orderIds: string[]): Promise<BookState[]> {
    if (orderIds.length === 0) return [];
    const rows = await this.rows<BookStateRow>(
      `SELECT ${bookStateColumns} FROM orders o WHERE o.order_id = ANY($1::text[])`,
      [orderIds],
    );
    return rows.map(toBookState);
  }

  /**
   * Leases, retry times and created_at are in the database's clock (./orders.ts): a lease is held if
   * it runs by that clock, and the times come back moved into the caller's (`at`), so "next in 2 s"
   * and "oldest 3 s" read right on a machine whose clock is off.
   */
  async outboxDetail(at: number, limit: number): Promise<OutboxDetail> {
    const [totals, owners, oldest] = await Promise.all([
      this.rows<OutboxTotalsRow & { now: number }>(totalsWithClockSql),
      this.rows<OutboxOwnerRow>(liveOwnersSql),
      this.rows<OutboxEntryRow>(outboxOldestSql, [limit]),
    ]);
    const now = Number(totals[0]?.now ?? at);
    const detail = toOutboxDetail(totals[0], owners, oldest, now);
    const shift = at - now;
    return {
      ...detail,
      oldestAt: detail.oldestAt === null ? null : detail.oldestAt + shift,
      owners: detail.owners.map((o) => ({ ...o, until: o.until + shift })),
      // lease_until 0: released, not a time.
      oldest: detail.oldest.map((e) => ({
        ...e,
        createdAt: e.createdAt + shift,
        nextAttemptAt: e.nextAttemptAt + shift,
        leaseUntil: e.leaseUntil === 0 ? 0 : e.leaseUntil + shift,
      })),
    };
  }

  async lastDeliveryId(): Promise<number> {
    const [row] = await this.rows<{ id: number | null }>("SELECT MAX(id) AS id FROM deliveries");
    return row?.id ?? 0;
  }
}
