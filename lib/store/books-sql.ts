/**
 * The books' reads, one SQL text for both adapters ($n placeholders are
 * rewritten to ? for SQLite by the caller). Each touches only the orders
 * named or placed after a cursor, through indexes, so a tick's cost follows
 * the new and unsettled orders, not the size of the tables.
 */
export const ordersAfterSql = `SELECT order_id, placed_at FROM orders
  WHERE placed_at > $1 OR (placed_at = $1 AND order_id > $2)
  ORDER BY placed_at, order_id LIMIT $3`;

export const bookStateColumns = `o.order_id, o.placed_at, o.confirmed_at,
  EXISTS (SELECT 1 FROM outbox x WHERE x.order_id = o.order_id) AS in_outbox,
  (SELECT COUNT(*) FROM payments p WHERE p.order_id = o.order_id) AS payments,
  EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.order_id
          AND d.outcome IN ('dead-lettered', 'conflict')) AS dead_lettered`;

export interface BookStateRow {
  order_id: string;
  placed_at: number;
  confirmed_at: number | null;
  in_outbox: number | boolean;
  payments: number;
  dead_lettered: number | boolean;
}

import type { BookState } from "./store";

export const toBookState = (r: BookStateRow): BookState => ({
  orderId: r.order_id,
  placedAt: Number(r.placed_at),
  confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at),
  inOutbox: Boolean(r.in_outbox),
  payments: Number(r.payments),
  deadLettered: Boolean(r.dead_lettered),
});
