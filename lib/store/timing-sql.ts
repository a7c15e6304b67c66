/**
 * The stage times of paid orders on SQLite: each payment joined by key to its order (placed,
 * confirmed), its paying delivery (delivered) and that delivery's ack. SQLite's planner makes
 * every join an index lookup; PostgreSQL's hashed whole tables, so it has its own LATERAL
 * form (lib/store/postgres/timing.ts).
 * An order from an external producer has no `orders` row: its placed time is the message's.
 * Callers append a WHERE clause on `p`.
 */
export const hopTimesColumns = `p.order_id AS "orderId", COALESCE(o.placed_at, p.placed_at) AS "placedAt", (o.placed_at IS NULL) AS "external",
       o.confirmed_at AS "confirmedAt", d.delivered_at AS "deliveredAt", p.paid_at AS "paidAt", a.acked_at AS "ackedAt"
  FROM payments p
  LEFT JOIN orders o ON o.order_id = p.order_id
  LEFT JOIN deliveries d ON d.order_id = p.order_id AND d.message_id = p.message_id AND d.outcome = 'paid'
  LEFT JOIN delivery_acks a ON a.delivery_id = d.id`;

/** `count` sequence numbers spread evenly over [first, first + span): a sample of a window too big to read whole. */
export function evenSpread(first: number, span: number, count: number): number[] {
  const step = span / count;
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) seqs.push(first + Math.floor(i * step));
  return seqs;
}
