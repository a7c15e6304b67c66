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
import { cachedStatement, type Db } from "../db";
import type { BookState, BooksCursor, HealthStore, OutboxDetail } from "../store";

/**
 * The health panel's reads on SQLite (the rules are in lib/health/pipeline.ts).
 * "Unresolved": confirmed by the broker, neither paid nor dead-lettered.
 */

export type { UnresolvedOrder } from "../store";

import type { UnresolvedOrder } from "../store";

type Row = { order_id: string; item: string; confirmed_at: number };
const toOrder = (r: Row): UnresolvedOrder => ({ orderId: r.order_id, item: r.item, confirmedAt: r.confirmed_at });

/** Unresolved orders confirmed before `cutoff`, oldest first. */
export function unresolvedBefore(db: Db, cutoff: number, limit: number): UnresolvedOrder[] {
  return cachedStatement<[number, number], Row>(
    db,
    `SELECT o.order_id, o.item, o.confirmed_at FROM orders o
       WHERE o.confirmed_at < ? AND ${unresolved} ORDER BY o.confirmed_at ASC LIMIT ?`,
  )
    .all(cutoff, limit)
    .map(toOrder);
}

export function countUnresolvedBefore(db: Db, cutoff: number): number {
  return (
    cachedStatement<[number], { n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM orders o WHERE o.confirmed_at < ? AND ${unresolved}`,
    ).get(cutoff)?.n ?? 0
  );
}

/** Unresolved orders confirmed in [from, to). */
export function unresolvedBetween(db: Db, from: number, to: number): UnresolvedOrder[] {
  return cachedStatement<[number, number], Row>(
    db,
    `SELECT o.order_id, o.item, o.confirmed_at FROM orders o
       WHERE o.confirmed_at >= ? AND o.confirmed_at < ? AND ${unresolved}`,
  )
    .all(from, to)
    .map(toOrder);
}

export function isUnresolved(db: Db, orderId: string): boolean {
  return (
    (cachedStatement<[string], { n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM orders o WHERE o.order_id = ? AND ${unresolved}`,
    ).get(orderId)?.n ?? 0) > 0
  );
}

/** Orders placed through Warren and payments recorded. */
export function placedAndPaid(db: Db): { placed: number; paid: number } {
  return (
    cachedStatement<[], { placed: number; paid: number }>(
      db,
      "SELECT (SELECT COUNT(*) FROM orders) AS placed, (SELECT COUNT(*) FROM payments) AS paid",
    ).get() ?? { placed: 0, paid: 0 }
  );
}

/** The newest delivery's id: the consume rate is its growth over time. */
export function lastDeliveryId(db: Db): number {
  return cachedStatement<[], { id: number | null }>(db, "SELECT MAX(id) AS id FROM deliveries").get()?.id ?? 0;
}

export interface OutboxBacklog {
  /** Orders accepted (durable) and not yet confirmed by the broker. */
  waiting: number;
  /** When the oldest of them was accepted; null when none waits. */
  oldestAt: number | null;
}

/** What the health panel and the broker-down banner say about orders kept while the broker is away. */
export function outboxBacklog(db: Db): OutboxBacklog {
  const row = cachedStatement<[], { n: number; oldest: number | null }>(
    db,
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox",
  ).get();
  return { waiting: row?.n ?? 0, oldestAt: row?.oldest ?? null };
}

/**
 * Orders written after `cursor`, in rowid order: one writer at a time, so the order their rows
 * became visible (orders are never deleted nor replaced, so a rowid is never handed out twice).
 */
export function ordersAfter(db: Db, cursor: BooksCursor | null, limit: number): BooksCursor[] {
  return cachedStatement<[number, number], { position: number; order_id: string }>(
    db,
    "SELECT rowid AS position, order_id FROM orders WHERE rowid > ? ORDER BY rowid LIMIT ?",
  )
    .all(cursor ? Number(cursor.position) : 0, limit)
    .map((r) => ({ orderId: r.order_id, position: String(r.position) }));
}

export function bookStates(db: Db, orderIds: string[]): BookState[] {
  const statement = cachedStatement<[string], BookStateRow>(
    db,
    `SELECT ${bookStateColumns} FROM orders o WHERE o.order_id = ?`,
  );
  const states: BookState[] = [];
  for (const id of orderIds) {
    const row = statement.get(id);
    if (row) states.push(toBookState(row));
  }
  return states;
}

const positional = (sql: string) => sql.replace(/\$\d/g, "?");

export function outboxDetail(db: Db, at: number, limit: number): OutboxDetail {
  return toOutboxDetail(
    cachedStatement<[], OutboxTotalsRow>(db, outboxTotalsSql).get(),
    cachedStatement<[number], OutboxOwnerRow>(db, positional(outboxOwnersSql("$1"))).all(at),
    cachedStatement<[number], OutboxEntryRow>(db, positional(outboxOldestSql)).all(limit),
    at,
  );
}

/** The same reads behind the store interface. */
export function sqliteHealth(db: Db): HealthStore {
  return {
    unresolvedBefore: async (cutoff, limit) => unresolvedBefore(db, cutoff, limit),
    countUnresolvedBefore: async (cutoff) => countUnresolvedBefore(db, cutoff),
    unresolvedBetween: async (from, to) => unresolvedBetween(db, from, to),
    stillUnresolved: async (ids) => new Set(ids.filter((id) => isUnresolved(db, id))),
    placedAndPaid: async () => placedAndPaid(db),
    lastDeliveryId: async () => lastDeliveryId(db),
    outboxBacklog: async () => outboxBacklog(db),
    ordersAfter: async (cursor, limit) => ordersAfter(db, cursor, limit),
    bookStates: async (ids) => bookStates(db, ids),
    outboxDetail: async (at, limit) => outboxDetail(db, at, limit),
  };
}
