/**
 * Migration 8: alerts (issue 12, part 9) and who sends bad messages (part 5).
 *
 * - alert_incidents: one row per time a rule fired; open while resolved_at IS NULL (at most one
 *   open row per rule key, by a partial unique index), kept as the history afterwards.
 * - alert_deliveries: the webhook outbox. One row per (incident, fired|resolved, target), written
 *   in the same transaction as the incident, so a leader that changes hands neither loses nor
 *   resends a notification; `target` is a hash of the webhook URL, `label` its redacted form.
 * - dead_letter_producers: per reason group and producer identity the broker gave (app_id, user_id;
 *   '' when absent, so the key is unique), how many, first and last seen: read whole by the workbench.
 * - dead_letter_sources: one row per message Warren dead-lettered in the last hours (pruned), for
 *   the rates (last minute, last hour) by an index range on `at`.
 */
export const alertsSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS alert_incidents (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     key         TEXT    NOT NULL,
     rule        TEXT    NOT NULL,
     summary     TEXT    NOT NULL,
     fired_at    INTEGER NOT NULL,
     resolved_at INTEGER,
     resolution  TEXT
   )`,
  "CREATE UNIQUE INDEX IF NOT EXISTS alert_incidents_open ON alert_incidents(key) WHERE resolved_at IS NULL",
  "CREATE INDEX IF NOT EXISTS alert_incidents_fired ON alert_incidents(fired_at)",
  `CREATE TABLE IF NOT EXISTS alert_deliveries (
     id              INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id     INTEGER NOT NULL,
     event           TEXT    NOT NULL CHECK (event IN ('fired', 'resolved')),
     target          TEXT    NOT NULL,
     label           TEXT    NOT NULL,
     created_at      INTEGER NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     delivered_at    INTEGER,
     last_error      TEXT,
     UNIQUE (incident_id, event, target)
   )`,
  "CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries(next_attempt_at) WHERE delivered_at IS NULL",
  `CREATE TABLE IF NOT EXISTS dead_letter_sources (
     id           INTEGER PRIMARY KEY AUTOINCREMENT,
     at           INTEGER NOT NULL,
     reason_group TEXT    NOT NULL,
     app_id       TEXT,
     user_id      TEXT,
     message_id   TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS dead_letter_sources_at ON dead_letter_sources(at)",
  `CREATE TABLE IF NOT EXISTS dead_letter_producers (
     reason_group TEXT    NOT NULL,
     app_id       TEXT    NOT NULL DEFAULT '',
     user_id      TEXT    NOT NULL DEFAULT '',
     count        INTEGER NOT NULL,
     first_at     INTEGER NOT NULL,
     last_at      INTEGER NOT NULL,
     PRIMARY KEY (reason_group, app_id, user_id)
   )`,
];
