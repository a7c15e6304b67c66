/**
 * Migration 6: where the time goes and what exactly-once costs (issue 12, parts 3 and 7).
 * - `orders.publishes`: how many times the relay sent the order (1 at intake; each later claim of
 *   its outbox row is a re-publish), so a duplicate can be blamed on an outbox re-publish.
 * - `absorbed`: one row per duplicate or conflict absorbed, with its cause (broker redelivery,
 *   outbox re-publish, client retry, producer resend), read per minute by the dashboard.
 * - `payments_paid`: the latency window reads payments by paid time.
 */
export const latencySchema: string[] = [
  "ALTER TABLE orders ADD COLUMN publishes INTEGER NOT NULL DEFAULT 1",
  `CREATE TABLE IF NOT EXISTS absorbed (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     at         INTEGER NOT NULL,
     cause      TEXT    NOT NULL,
     kind       TEXT    NOT NULL,
     order_id   TEXT,
     message_id TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS absorbed_at ON absorbed(at)",
  "CREATE INDEX IF NOT EXISTS absorbed_order ON absorbed(order_id)",
  "CREATE INDEX IF NOT EXISTS payments_paid ON payments(paid_at)",
];
