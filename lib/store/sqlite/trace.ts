import {
  buildTrace,
  type DeliveryRow,
  type OrderSummary,
  type OrderTrace,
  rankSummaries,
  type SearchQuery,
  type SummaryRow,
  searchTerm,
  type TraceStatus,
} from "../../trace/trace";
import { cachedStatement, type Db } from "../db";

/**
 * The trace's reads on SQLite: what each stage already writes (the web
 * process's `orders`, the consumer's `deliveries` with `delivery_acks`,
 * `payments` and `duplicates`). The rules (status, hops) are in lib/trace.
 */

/** One order's summary from every table that knows it (a row of nulls when none does). */
const summaryByIdSql = `
  SELECT i.order_id,
         COALESCE(p.item, o.item) AS item,
         COALESCE(p.quantity, o.quantity) AS quantity,
         COALESCE(o.placed_at, p.placed_at) AS placed_at,
         o.confirmed_at, o.status AS order_status, o.error, o.source,
         p.paid_at, p.amount_cents,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id) AS deliveries,
         (SELECT COUNT(*) FROM duplicates u WHERE u.order_id = i.order_id) AS duplicates,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id AND d.redelivered = 1) AS redelivered,
         (SELECT outcome FROM deliveries d WHERE d.order_id = i.order_id ORDER BY d.id DESC LIMIT 1) AS last_outcome
  FROM (SELECT ? AS order_id) i
  LEFT JOIN orders o ON o.order_id = i.order_id
  LEFT JOIN payments p ON p.order_id = i.order_id`;

function summaryRow(db: Db, orderId: string): SummaryRow | null {
  const row = cachedStatement<[string], SummaryRow>(db, summaryByIdSql).get(orderId);
  if (!row || (row.order_status === null && row.paid_at === null && row.deliveries === 0)) return null;
  return row;
}

/** Candidate ids come from indexed, bounded queries; only those few get a full summary. */
const candidateSql: Record<TraceStatus | "latest", string[]> = {
  latest: [
    "SELECT order_id FROM orders ORDER BY placed_at DESC LIMIT 100",
    "SELECT order_id FROM payments ORDER BY seq DESC LIMIT 100",
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL ORDER BY id DESC LIMIT 100",
  ],
  paid: ["SELECT order_id FROM payments ORDER BY seq DESC LIMIT 200"],
  "in-flight": [
    `SELECT o.order_id FROM orders o WHERE o.status IN ('confirmed', 'accepted')
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.order_id)
     ORDER BY o.placed_at DESC LIMIT 200`,
  ],
  "dead-lettered": [
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL AND outcome IN ('dead-lettered', 'conflict') ORDER BY id DESC LIMIT 1000",
  ],
  failed: ["SELECT order_id FROM orders WHERE status = 'failed' ORDER BY placed_at DESC LIMIT 200"],
  duplicates: ["SELECT order_id FROM duplicates ORDER BY id DESC LIMIT 1000"],
  redelivered: [
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL AND redelivered = 1 ORDER BY id DESC LIMIT 1000",
  ],
};

export function searchOrders(db: Db, { q, status, limit = 50 }: SearchQuery): OrderSummary[] {
  const ids = new Set<string>();
  const collect = (sql: string, ...params: string[]) => {
    for (const row of cachedStatement<string[], { order_id: string }>(db, sql).all(...params)) ids.add(row.order_id);
  };
  const term = searchTerm(q);
  if (term) {
    // An id prefix as a range, so the primary-key index answers it; an item as a substring.
    const upper = `${term}\uffff`;
    collect("SELECT order_id FROM orders WHERE order_id >= ? AND order_id < ? LIMIT 200", term, upper);
    collect("SELECT order_id FROM payments WHERE order_id >= ? AND order_id < ? LIMIT 200", term, upper);
    const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
    // The screens show an id's last characters (a UUIDv7 starts with its time): match the tail too.
    const tail = `%${escaped}`;
    collect("SELECT order_id FROM orders WHERE order_id LIKE ? ESCAPE '\\' ORDER BY placed_at DESC LIMIT 200", tail);
    collect("SELECT order_id FROM payments WHERE order_id LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT 200", tail);
    const like = `%${escaped}%`;
    collect("SELECT order_id FROM orders WHERE item LIKE ? ESCAPE '\\' ORDER BY placed_at DESC LIMIT 500", like);
    collect("SELECT order_id FROM payments WHERE item LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT 500", like);
  } else {
    for (const sql of candidateSql[status ?? "latest"]) collect(sql);
  }
  const rows: SummaryRow[] = [];
  for (const id of ids) {
    const row = summaryRow(db, id);
    if (row) rows.push(row);
  }
  return rankSummaries(rows, term, { status, limit });
}

export function traceOrder(db: Db, orderId: string): OrderTrace | null {
  const row = summaryRow(db, orderId);
  if (!row) return null;
  const deliveries = cachedStatement<[string], DeliveryRow>(
    db,
    `SELECT d.id, d.message_id, d.delivered_at, d.redelivered, d.outcome, d.reason, a.acked_at
       FROM deliveries d LEFT JOIN delivery_acks a ON a.delivery_id = d.id
       WHERE d.order_id = ? ORDER BY d.id`,
  ).all(orderId);
  const payment = cachedStatement<[string], { message_id: string; paid_at: number }>(
    db,
    "SELECT message_id, paid_at FROM payments WHERE order_id = ?",
  ).get(orderId);

  return buildTrace(row, deliveries, payment);
}
