/**
 * The books' reads, one SQL text for both adapters ($n placeholders are
 * rewritten to ? for SQLite by the caller). Each touches only the orders
 * named, through indexes, so a tick's cost follows the new and unsettled
 * orders, not the size of the tables (the new ones are found by each adapter's
 * ordersAfter: the position of a row differs between them).
 */
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

import type { BookState, OutboxEntry } from "./store";

/** The outbox holds only unconfirmed orders: small unless the broker is away, and then what the operator wants to see. */
export const outboxTotalsSql = `SELECT COUNT(*) AS n, MIN(created_at) AS oldest,
  COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS retrying, COALESCE(MAX(attempts), 0) AS max_attempts
  FROM outbox`;
/** The owners of live leases at `now`: a parameter, or (PostgreSQL) the database's own clock. */
export const outboxOwnersSql = (
  now: string,
) => `SELECT lease_owner AS owner, COUNT(*) AS n, MAX(lease_until) AS until FROM outbox
  WHERE lease_owner IS NOT NULL AND lease_until >= ${now} GROUP BY lease_owner ORDER BY lease_owner`;
export const outboxOldestSql = `SELECT order_id, created_at, attempts, next_attempt_at, lease_owner, lease_until, last_error
  FROM outbox ORDER BY created_at, order_id LIMIT $1`;

export interface OutboxTotalsRow {
  n: number;
  oldest: number | null;
  retrying: number;
  max_attempts: number;
}
export interface OutboxOwnerRow {
  owner: string;
  n: number;
  until: number;
}
export interface OutboxEntryRow {
  order_id: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number;
  last_error: string | null;
}

export const toOutboxEntry = (r: OutboxEntryRow, at: number): OutboxEntry => ({
  orderId: r.order_id,
  createdAt: Number(r.created_at),
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  // An expired lease is held by nobody: any relay may take the row.
  leaseOwner: r.lease_owner !== null && Number(r.lease_until) >= at ? r.lease_owner : null,
  leaseUntil: Number(r.lease_until),
  lastError: r.last_error,
});

export function toOutboxDetail(
  totals: OutboxTotalsRow | undefined,
  owners: OutboxOwnerRow[],
  oldest: OutboxEntryRow[],
  at: number,
) {
  return {
    waiting: Number(totals?.n ?? 0),
    oldestAt: totals?.oldest == null ? null : Number(totals.oldest),
    retrying: Number(totals?.retrying ?? 0),
    maxAttempts: Number(totals?.max_attempts ?? 0),
    owners: owners.map((o) => ({ owner: o.owner, rows: Number(o.n), until: Number(o.until) })),
    oldest: oldest.map((r) => toOutboxEntry(r, at)),
  };
}

export const toBookState = (r: BookStateRow): BookState => ({
  orderId: r.order_id,
  placedAt: Number(r.placed_at),
  confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at),
  inOutbox: Boolean(r.in_outbox),
  payments: Number(r.payments),
  deadLettered: Boolean(r.dead_lettered),
});

/** "Unresolved": confirmed by the broker, neither paid nor dead-lettered (the health panel's stuck orders). */
export const unresolvedSql = `o.status = 'confirmed'
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id)
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.order_id AND d.outcome IN ('dead-lettered', 'conflict'))`;
