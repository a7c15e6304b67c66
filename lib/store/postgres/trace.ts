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
} from "../../trace/trace";
import { traceCandidateSql as candidateSql, traceSummaryColumns } from "../rows";
import type { TraceStore } from "../store";

/** One order's summary from every table that knows it (the same reads as lib/store/sqlite/trace.ts). */
const summarySql = `
  SELECT ${traceSummaryColumns}
  FROM unnest($1::text[]) AS i(order_id)
  LEFT JOIN orders o ON o.order_id = i.order_id
  LEFT JOIN payments p ON p.order_id = i.order_id`;

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
    const { rows: retries } = await this.pool.query<{ at: number }>(
      "SELECT at FROM absorbed WHERE order_id = $1 AND cause = 'client_retry' ORDER BY at LIMIT 100",
      [orderId],
    );
    return buildTrace(
      row,
      deliveries,
      payments[0],
      retries.map((r) => r.at),
    );
  }
}
