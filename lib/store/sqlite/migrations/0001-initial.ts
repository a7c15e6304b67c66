/**
 * Migration 1: the schema as Warren created it before schema versions
 * (every statement IF NOT EXISTS), so a database made by that code upgrades
 * to version 1 without a change, and a new one is created the same way.
 */
export const initialSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS payments (
     seq          INTEGER PRIMARY KEY AUTOINCREMENT,
     order_id     TEXT    NOT NULL UNIQUE,
     message_id   TEXT    NOT NULL,
     item         TEXT    NOT NULL,
     quantity     INTEGER NOT NULL,
     amount_cents INTEGER NOT NULL,
     body_hash    TEXT    NOT NULL,
     placed_at    INTEGER,
     paid_at      INTEGER NOT NULL,
     redelivered  INTEGER NOT NULL DEFAULT 0
   )`,
  // Each message id is recorded once, with what became of it.
  `CREATE TABLE IF NOT EXISTS messages (
     message_id    TEXT    PRIMARY KEY,
     order_id      TEXT,
     outcome       TEXT    NOT NULL,
     first_seen_at INTEGER NOT NULL,
     last_seen_at  INTEGER NOT NULL,
     deliveries    INTEGER NOT NULL DEFAULT 1
   )`,
  `CREATE TABLE IF NOT EXISTS duplicates (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     order_id    TEXT    NOT NULL,
     message_id  TEXT    NOT NULL,
     redelivered INTEGER NOT NULL,
     seen_at     INTEGER NOT NULL
   )`,
  "CREATE INDEX IF NOT EXISTS duplicates_order ON duplicates(order_id)",
  // Orders as the web process saw them: when placed, when the broker confirmed.
  `CREATE TABLE IF NOT EXISTS orders (
     order_id     TEXT    PRIMARY KEY,
     item         TEXT    NOT NULL,
     quantity     INTEGER NOT NULL,
     source       TEXT    NOT NULL,
     placed_at    INTEGER NOT NULL,
     confirmed_at INTEGER,
     status       TEXT    NOT NULL,
     error        TEXT
   )`,
  // Every delivery the payment service saw, for the per-order trace.
  `CREATE TABLE IF NOT EXISTS deliveries (
     id           INTEGER PRIMARY KEY AUTOINCREMENT,
     order_id     TEXT,
     message_id   TEXT    NOT NULL,
     delivered_at INTEGER NOT NULL,
     redelivered  INTEGER NOT NULL,
     outcome      TEXT    NOT NULL,
     reason       TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS deliveries_order ON deliveries(order_id)",
  // When the consumer acked each delivery (after its commit), for the trace's last hop.
  `CREATE TABLE IF NOT EXISTS delivery_acks (
     delivery_id INTEGER PRIMARY KEY,
     acked_at    INTEGER NOT NULL
   )`,
  "CREATE INDEX IF NOT EXISTS deliveries_message ON deliveries(message_id)",
  // The trace lists the latest orders; the health panel scans orders as they cross the stuck threshold.
  "CREATE INDEX IF NOT EXISTS orders_placed ON orders(placed_at)",
  "CREATE INDEX IF NOT EXISTS orders_confirmed ON orders(confirmed_at)",
  // Every operator action (and every refused attempt): who, what, when, result.
  `CREATE TABLE IF NOT EXISTS audit_log (
     id      INTEGER PRIMARY KEY AUTOINCREMENT,
     at      INTEGER NOT NULL,
     actor   TEXT    NOT NULL,
     action  TEXT    NOT NULL,
     target  TEXT,
     details TEXT,
     result  TEXT    NOT NULL,
     message TEXT
   )`,
  // Transactional outbox: an accepted order is durable here before any publish;
  // the relay deletes its row once the broker confirmed (the orders row keeps the trace).
  `CREATE TABLE IF NOT EXISTS outbox (
     order_id        TEXT    PRIMARY KEY,
     body            TEXT    NOT NULL,
     created_at      INTEGER NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_owner     TEXT,
     lease_until     INTEGER NOT NULL DEFAULT 0,
     last_error      TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at)",
];
