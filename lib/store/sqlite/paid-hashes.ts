import type { Db } from "../db";

/** One statement for any number of ids (json_each), instead of one query per order. */
export function paidHashes(db: Db, orderIds: string[]): Map<string, string> {
  if (orderIds.length === 0) return new Map();
  const rows = db
    .prepare<[string], { order_id: string; body_hash: string }>(
      "SELECT order_id, body_hash FROM payments WHERE order_id IN (SELECT value FROM json_each(?))",
    )
    .all(JSON.stringify(orderIds));
  return new Map(rows.map((row) => [row.order_id, row.body_hash]));
}
