import type { Db } from "../store/db";
import type { PlacedOrder } from "./place-order";

export type OrderSource = "form" | "api" | "test";

/**
 * What the web process knows of each order it placed: when it was placed and
 * when the broker confirmed it (or why it failed). One row per order.
 */
export class OrderLog {
  private readonly insert;

  constructor(readonly db: Db) {
    this.insert = db.prepare<[string, string, number, string, number, number | null, string, string | null]>(
      `INSERT OR REPLACE INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(order: PlacedOrder, source: OrderSource, outcome: { confirmedAt: number } | { error: string }): void {
    const confirmedAt = "confirmedAt" in outcome ? outcome.confirmedAt : null;
    const error = "error" in outcome ? outcome.error : null;
    this.insert.run(
      order.orderId,
      order.item,
      order.quantity,
      source,
      order.placedAt,
      confirmedAt,
      error === null ? "confirmed" : "failed",
      error,
    );
  }
}
