import type { Pool } from "pg";
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
import type { TraceStore } from "../store";

/** One order's summary from every table that knows it (the same reads as lib/store/sqlite/trace.ts). */
const summarySql = `
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
  FROM unnest($1::text[]) AS i(order_id)
  LEFT JOIN orders o ON o.order_id = i.order_id
  LEFT JOIN payments p ON p.order_id = i.order_id`;

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

/** The trace's reads on PostgreSQL; the rules (status, hops) are in lib/trace. */
export class PgTrace implements TraceStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  private async summaries(ids: string[]): Promise<SummaryRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<SummaryRow>(summarySql, [ids]);
    return rows.filter((row) => !(row.order_status === null && row.paid_at === null && row.deliveries === 0));
  }

  async search({ q, status, limit = 50 }: SearchQuery): Promise<OrderSummary[]> {
    await this.ready();
    const ids = new Set<string>();
    const collect = async (sql: string, ...params: string[]) => {
      const { rows } = await this.pool.query<{ order_id: string }>(sql, params);
      for (const row of rows) ids.add(row.order_id);
    };
    const term = searchTerm(q);
    if (term) {
      const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
      // An id prefix, the id's tail (the screens show an id's last characters), an item substring.
      for (const table of ["orders", "payments"]) {
        const order = table === "orders" ? "placed_at" : "seq";
        await collect(`SELECT order_id FROM ${table} WHERE order_id LIKE $1 LIMIT 200`, `${escaped}%`);
        await collect(
          `SELECT order_id FROM ${table} WHERE order_id LIKE $1 ORDER BY ${order} DESC LIMIT 200`,
          `%${escaped}`,
        );
        await collect(
          `SELECT order_id FROM ${table} WHERE item LIKE $1 ORDER BY ${order} DESC LIMIT 500`,
          `%${escaped}%`,
        );
      }
    } else {
      for (const sql of candidateSql[status ?? "latest"]) await collect(sql);
    }
    return rankSummaries(await this.summaries([...ids]), term, { status, limit });
  }

  async order(orderId: string): Promise<OrderTrace | null> {
    await this.ready();
    const [row] = await this.summaries([orderId]);
    if (!row) return null;
    const { rows: deliveries } = await this.pool.query<DeliveryRow>(
      `SELECT d.id, d.message_id, d.delivered_at, d.redelivered, d.outcome, d.reason, a.acked_at
         FROM deliveries d LEFT JOIN delivery_acks a ON a.delivery_id = d.id
        WHERE d.order_id = $1 ORDER BY d.id`,
      [orderId],
    );
    const { rows: payments } = await this.pool.query<{ message_id: string; paid_at: number }>(
      "SELECT message_id, paid_at FROM payments WHERE order_id = $1",
      [orderId],
    );
    return buildTrace(row, deliveries, payments[0]);
  }
}
