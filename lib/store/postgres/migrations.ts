/** One numbered step of the PostgreSQL schema; the database records the last one applied in `schema_version`. */
export interface PgMigration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * Migration 1: the schema of SQLite's migration 1 (lib/store/sqlite/migrations), in
 * PostgreSQL's types (epoch milliseconds as BIGINT), plus what many writers need:
 * each payment keeps the id of the transaction that wrote it, so a resuming reader
 * can serve only what every later reader will also see (PgLedger.since).
 */
const initial: string[] = [
  `CREATE TABLE payments (
     seq          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     order_id     TEXT    NOT NULL UNIQUE,
     message_id   TEXT    NOT NULL,
     item         TEXT    NOT NULL,
     quantity     INTEGER NOT NULL,
     amount_cents BIGINT  NOT NULL,
     body_hash    TEXT    NOT NULL,
     placed_at    BIGINT,
     paid_at      BIGINT  NOT NULL,
     redelivered  INTEGER NOT NULL DEFAULT 0,
     xid          XID8    NOT NULL DEFAULT pg_current_xact_id()
   )`,
  "CREATE INDEX payments_xid_seq ON payments (xid, seq)",
  `CREATE TABLE messages (
     message_id    TEXT    PRIMARY KEY,
     order_id      TEXT,
     outcome       TEXT    NOT NULL,
     first_seen_at BIGINT  NOT NULL,
     last_seen_at  BIGINT  NOT NULL,
     deliveries    INTEGER NOT NULL DEFAULT 1
   )`,
  `CREATE TABLE duplicates (
     id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     order_id    TEXT    NOT NULL,
     message_id  TEXT    NOT NULL,
     redelivered INTEGER NOT NULL,
     seen_at     BIGINT  NOT NULL
   )`,
  "CREATE INDEX duplicates_order ON duplicates (order_id)",
  `CREATE TABLE orders (
     order_id     TEXT    PRIMARY KEY,
     item         TEXT    NOT NULL,
     quantity     INTEGER NOT NULL,
     source       TEXT    NOT NULL,
     placed_at    BIGINT  NOT NULL,
     confirmed_at BIGINT,
     status       TEXT    NOT NULL,
     error        TEXT
   )`,
  `CREATE TABLE deliveries (
     id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     order_id     TEXT,
     message_id   TEXT    NOT NULL,
     delivered_at BIGINT  NOT NULL,
     redelivered  INTEGER NOT NULL,
     outcome      TEXT    NOT NULL,
     reason       TEXT
   )`,
  "CREATE INDEX deliveries_order ON deliveries (order_id)",
  `CREATE TABLE delivery_acks (
     delivery_id BIGINT PRIMARY KEY,
     acked_at    BIGINT NOT NULL
   )`,
  "CREATE INDEX deliveries_message ON deliveries (message_id)",
  "CREATE INDEX orders_placed ON orders (placed_at)",
  "CREATE INDEX orders_confirmed ON orders (confirmed_at)",
  // text_pattern_ops: the trace's id-prefix and item searches use LIKE, which a plain index in a non-C collation cannot serve.
  "CREATE INDEX orders_id_pattern ON orders (order_id text_pattern_ops)",
  "CREATE INDEX payments_id_pattern ON payments (order_id text_pattern_ops)",
  `CREATE TABLE audit_log (
     id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at      BIGINT NOT NULL,
     actor   TEXT   NOT NULL,
     action  TEXT   NOT NULL,
     target  TEXT,
     details TEXT,
     result  TEXT   NOT NULL,
     message TEXT
   )`,
  `CREATE TABLE outbox (
     order_id        TEXT    PRIMARY KEY,
     body            TEXT    NOT NULL,
     created_at      BIGINT  NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT  NOT NULL,
     lease_owner     TEXT,
     lease_until     BIGINT  NOT NULL DEFAULT 0,
     last_error      TEXT
   )`,
  "CREATE INDEX outbox_due ON outbox (next_attempt_at)",
];

/** Every migration, in order. Append only: a released step is never edited; a change of schema is a new step. */
export const PG_MIGRATIONS: PgMigration[] = [
  { version: 1, name: "initial", statements: initial },
  {
    version: 2,
    name: "relay heartbeats",
    statements: [
      // Outbox relays on any machine say they are alive here; an overdue one's leases end early (PgOrderStore.claimDue).
      "CREATE TABLE relays (owner TEXT PRIMARY KEY, alive_until BIGINT NOT NULL)",
    ],
  },
  {
    version: 3,
    name: "idempotency",
    statements: [
      // Idempotency-Key answers (issue 12): the first request's fingerprint and, once given, its answer; kept 24 h.
      `CREATE TABLE idempotency_keys (
         key         TEXT    PRIMARY KEY,
         fingerprint TEXT    NOT NULL,
         created_at  BIGINT  NOT NULL,
         status      INTEGER,
         answer      TEXT
       )`,
      "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
    ],
  },
  {
    version: 4,
    name: "leadership",
    statements: [
      // Leadership leases (one process of a group samples history, evaluates alerts): lib/store/store.ts LeadershipStore.
      "CREATE TABLE leaders (role TEXT PRIMARY KEY, holder TEXT NOT NULL, until BIGINT NOT NULL)",
    ],
  },
  {
    version: 5,
    name: "traceparent",
    statements: [
      // Distributed tracing (issue 12, part 8): the placing request's W3C trace context, for the relay and the trace page.
      "ALTER TABLE orders ADD COLUMN traceparent TEXT",
      "ALTER TABLE outbox ADD COLUMN traceparent TEXT",
    ],
  },
  {
    version: 6,
    name: "latency and absorbed duplicates",
    statements: [
      // Issue 12, parts 3 and 7 (see SQLite's 0006-latency): re-publish count, absorbed duplicates by cause, paid-time index.
      "ALTER TABLE orders ADD COLUMN publishes INTEGER NOT NULL DEFAULT 1",
      `CREATE TABLE absorbed (
         id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         at         BIGINT NOT NULL,
         cause      TEXT   NOT NULL,
         kind       TEXT   NOT NULL,
         order_id   TEXT,
         message_id TEXT
       )`,
      "CREATE INDEX absorbed_at ON absorbed (at)",
      "CREATE INDEX absorbed_order ON absorbed (order_id)",
      "CREATE INDEX payments_paid ON payments (paid_at)",
    ],
  },
  {
    version: 7,
    name: "history",
    statements: [
      // Durable queue history (lib/history; lib/store/history-sql.ts): one leader writes 1 s rows, rolled up as they age.
      `CREATE TABLE queue_history (
         queue       TEXT             NOT NULL,
         resolution  INTEGER          NOT NULL,
         at          BIGINT           NOT NULL,
         n           INTEGER          NOT NULL,
         ready       DOUBLE PRECISION,
         ready_max   DOUBLE PRECISION,
         unacked     DOUBLE PRECISION,
         unacked_max DOUBLE PRECISION,
         consumers   DOUBLE PRECISION,
         publish     DOUBLE PRECISION,
         deliver     DOUBLE PRECISION,
         ack         DOUBLE PRECISION,
         rate_source TEXT,
         PRIMARY KEY (queue, resolution, at)
       )`,
      "CREATE INDEX queue_history_age ON queue_history (resolution, at)",
      "CREATE TABLE history_queues (queue TEXT PRIMARY KEY, pinned INTEGER NOT NULL, viewed_at BIGINT NOT NULL)",
    ],
  },
  {
    version: 8,
    name: "alerts",
    statements: [
      // Alerts (issue 12 part 9) and dead-letter producers (part 5): see lib/store/sqlite/migrations/0008-alerts.ts.
      `CREATE TABLE alert_incidents (
         id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         key         TEXT   NOT NULL,
         rule        TEXT   NOT NULL,
         summary     TEXT   NOT NULL,
         fired_at    BIGINT NOT NULL,
         resolved_at BIGINT,
         resolution  TEXT
       )`,
      "CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (key) WHERE resolved_at IS NULL",
      "CREATE INDEX alert_incidents_fired ON alert_incidents (fired_at)",
      `CREATE TABLE alert_deliveries (
         id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         incident_id     BIGINT  NOT NULL,
         event           TEXT    NOT NULL CHECK (event IN ('fired', 'resolved')),
         target          TEXT    NOT NULL,
         label           TEXT    NOT NULL,
         created_at      BIGINT  NOT NULL,
         attempts        INTEGER NOT NULL DEFAULT 0,
         next_attempt_at BIGINT  NOT NULL,
         delivered_at    BIGINT,
         last_error      TEXT,
         UNIQUE (incident_id, event, target)
       )`,
      "CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE delivered_at IS NULL",
      `CREATE TABLE dead_letter_sources (
         id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         at           BIGINT NOT NULL,
         reason_group TEXT   NOT NULL,
         app_id       TEXT,
         user_id      TEXT,
         message_id   TEXT
       )`,
      "CREATE INDEX dead_letter_sources_at ON dead_letter_sources (at)",
      `CREATE TABLE dead_letter_producers (
         reason_group TEXT   NOT NULL,
         app_id       TEXT   NOT NULL DEFAULT '',
         user_id      TEXT   NOT NULL DEFAULT '',
         count        BIGINT NOT NULL,
         first_at     BIGINT NOT NULL,
         last_at      BIGINT NOT NULL,
         PRIMARY KEY (reason_group, app_id, user_id)
       )`,
    ],
  },
  {
    version: 9,
    name: "accounts, sessions and pipeline state",
    statements: [
      // SQLite's migration 2: people and their server-side sessions, shared by every web process.
      `CREATE TABLE users (
         id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         name          TEXT    NOT NULL,
         role          TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
         password_hash TEXT    NOT NULL,
         disabled      BOOLEAN NOT NULL DEFAULT FALSE,
         source        TEXT    NOT NULL DEFAULT 'cli',
         created_at    BIGINT  NOT NULL
       )`,
      // Names are unique whatever their case (SQLite: COLLATE NOCASE; names are ASCII by schema).
      "CREATE UNIQUE INDEX users_name_lower ON users (lower(name))",
      `CREATE TABLE sessions (
         id           TEXT    PRIMARY KEY,
         user_id      BIGINT  NOT NULL REFERENCES users(id),
         created_at   BIGINT  NOT NULL,
         last_seen_at BIGINT  NOT NULL,
         revoked_at   BIGINT,
         client       TEXT,
         user_agent   TEXT
       )`,
      "CREATE INDEX sessions_user ON sessions (user_id)",
      // The operator's pause/resume/prefetch per order queue (SQLite's migration 9).
      `CREATE TABLE pipeline_state (
         queue      TEXT    PRIMARY KEY,
         paused     BOOLEAN NOT NULL DEFAULT FALSE,
         prefetch   INTEGER,
         version    BIGINT  NOT NULL,
         updated_at BIGINT  NOT NULL,
         updated_by TEXT
       )`,
    ],
  },
  {
    version: 10,
    name: "rate limits",
    statements: [
      // SQLite's migration 10: the sign-in limits' counters, shared by every web process on every
      // machine. Columns in rate-limiter-flexible's order (its INSERT names none); key TEXT, not its
      // varchar(255), so no key is ever refused for its length (a refused call would count per process).
      `CREATE TABLE rate_limits (
         key    TEXT    PRIMARY KEY,
         points INTEGER NOT NULL DEFAULT 0,
         expire BIGINT
       )`,
      "CREATE INDEX rate_limits_expire ON rate_limits (expire)",
    ],
  },
  {
    version: 11,
    name: "orders in commit order",
    statements: [
      // The books read new orders by the transaction that wrote them (PostgreSQL only: SQLite's
      // rowid is commit order already). placed_at is each web process's clock, and an order placed
      // earlier could commit after one the books had passed: it was never counted. Rows already
      // there get this migration's transaction id, and their seq in their current order.
      "ALTER TABLE orders ADD COLUMN xid XID8 NOT NULL DEFAULT pg_current_xact_id()",
      "ALTER TABLE orders ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY",
      "CREATE INDEX orders_xid_seq ON orders (xid, seq)",
    ],
  },
];
