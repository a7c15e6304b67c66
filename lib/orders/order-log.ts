import { partLogger } from "../observability/logger";
import type { Db } from "../store/db";
import type { PlacedOrder } from "./place-order";

export type OrderSource = "form" | "api" | "test";

type Row = [string, string, number, string, number, number | null, string, string | null];

/**
 * What the web process knows of each order it placed: when it was placed and
 * when the broker confirmed it (or why it failed). One row per order.
 *
 * Rows are group-committed: `record` queues the row and one transaction per
 * event-loop turn writes everything queued. With `synchronous = FULL` each
 * commit is an fsync that blocks the event loop (0.5–2 ms here), so one commit
 * per order capped HTTP intake; the bench showed it as the top self-time
 * function. The row is a trace, not the record of the order (the broker has
 * the message, the ledger the payment), so a crash may lose at most the rows
 * of the current turn.
 */
export class OrderLog {
  private readonly insert;
  private readonly insertAll;
  private pending: Row[] = [];
  private scheduled = false;

  constructor(readonly db: Db) {
    this.insert = db.prepare<Row>(
      `INSERT OR REPLACE INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAll = db.transaction((rows: Row[]) => {
      for (const row of rows) this.insert.run(...row);
    });
  }

  record(order: PlacedOrder, source: OrderSource, outcome: { confirmedAt: number } | { error: string }): void {
    const confirmedAt = "confirmedAt" in outcome ? outcome.confirmedAt : null;
    const error = "error" in outcome ? outcome.error : null;
    this.pending.push([
      order.orderId,
      order.item,
      order.quantity,
      source,
      order.placedAt,
      confirmedAt,
      error === null ? "confirmed" : "failed",
      error,
    ]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes every queued row now, in one transaction (also called before the DB closes). */
  flush(): void {
    this.scheduled = false;
    const rows = this.pending;
    if (rows.length === 0) return;
    this.pending = [];
    try {
      // IMMEDIATE takes the write lock up front, waiting (busy_timeout) for another process's writer.
      this.insertAll.immediate(rows);
    } catch (error) {
      // A trace row is not worth failing an order over; say so once per batch.
      partLogger("orders").error({ err: error }, `[orders] could not write ${rows.length} order log rows`);
    }
  }
}
