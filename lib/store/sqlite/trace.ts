import {
  buildTrace,
  type DeliveryRow,
  type OrderSummary,
  type OrderTrace,
  rankSummaries,
  type SearchQuery,
  type SummaryRow,
  searchTerm,
} from "../../trace/trace";
import { cachedStatement, type Db } from "../db";
import { traceCandidateSql as candidateSql, traceSummaryColumns } from "../rows";

/**
 * The trace's reads on SQLite: what each stage already writes (the web
 * process's `orders`, the consumer's `deliveries` with `delivery_acks`,
 * `payments` and `duplicates`). The rules (status, hops) are in lib/trace.
 */

/** One order's summary from every table that knows it (a row of nulls when none does). */
const summaryByIdSql = `
  SELECT ${traceSummaryColumns}
  FROM (SELECT ? AS order_id) i
  LEFT JOIN orders o ON o.order_id = i.order_id
  LEFT JOIN payments p ON p.order_id = i.order_id`;

function summaryRow(db: Db, orderId: string): SummaryRow | null {
  const row = cachedStatement<[string], SummaryRow>(db, summaryByIdSql).get(orderId);
  if (!row || (row.order_status === null && row.paid_at === null && row.deliveries === 0)) return null;
  return row;
}

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

  const retries = cachedStatement<[string], { at: number }>(
    db,
    "SELECT at FROM absorbed WHERE order_id = ? AND cause = 'client_retry' ORDER BY at LIMIT 100",
  ).all(orderId);
  return buildTrace(
    row,
    deliveries,
    payment,
    retries.map((r) => r.at),
  );
}
