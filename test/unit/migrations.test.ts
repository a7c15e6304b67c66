import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { openDb } from "../../lib/store/db";
import { migrate, schemaVersion } from "../../lib/store/sqlite/migrate";
import { MIGRATIONS } from "../../lib/store/sqlite/migrations";
import { unversionedSchema } from "../fixtures/unversioned-schema";

const dir = mkdtempSync(join(tmpdir(), "warren-migrations-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const latest = MIGRATIONS.at(-1)?.version ?? 0;

/** A database as the code before schema versions left it: its tables, a few rows, user_version 0. */
function unversionedDatabase(file: string) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.transaction(() => {
    for (const sql of unversionedSchema) db.exec(sql);
  })();
  db.prepare(
    `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at)
     VALUES ('o-1', 'm-1', 'book', 2, 2400, 'h', 1, 2)`,
  ).run();
  db.prepare(
    `INSERT INTO outbox (order_id, body, created_at, next_attempt_at) VALUES ('o-2', '{"orderId":"o-2"}', 1, 1)`,
  ).run();
  db.prepare(
    "INSERT INTO audit_log (at, actor, action, target, details, result) VALUES (1, 'operator#abc', 'queues.purge', 'q', NULL, 'ok')",
  ).run();
  assert.equal(schemaVersion(db), 0);
  db.close();
}

describe("store migrations (PRAGMA user_version)", () => {
  it("upgrades a database made before schema versions, keeping every row", () => {
    const file = join(dir, "old.db");
    unversionedDatabase(file);
    const db = openDb(file);
    assert.equal(schemaVersion(db), latest);
    assert.equal(db.prepare("SELECT item FROM payments WHERE order_id = 'o-1'").pluck().get(), "book");
    assert.equal(db.prepare("SELECT COUNT(*) FROM outbox").pluck().get(), 1);
    assert.equal(db.prepare("SELECT action FROM audit_log").pluck().get(), "queues.purge");
    db.close();
  });

  it("creates a new database at the latest version, and reopening changes nothing", () => {
    const file = join(dir, "new.db");
    openDb(file).close();
    const db = openDb(file);
    assert.equal(schemaVersion(db), latest);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(tables, [
      "absorbed",
      "alert_deliveries",
      "alert_incidents",
      "audit_log",
      "dead_letter_producers",
      "dead_letter_sources",
      "deliveries",
      "delivery_acks",
      "duplicates",
      "history_queues",
      "idempotency_keys",
      "leaders",
      "messages",
      "orders",
      "outbox",
      "payments",
      "pipeline_state",
      "queue_history",
      "rate_limits",
      "sessions",
      "users",
    ]);
    db.close();
  });

  it("applies a later step once (an ALTER reaches an existing database), and refuses a newer database", () => {
    const file = join(dir, "step.db");
    openDb(file).close();
    const next = [
      ...MIGRATIONS,
      { version: latest + 1, name: "note", statements: ["ALTER TABLE orders ADD COLUMN note TEXT"] },
    ];
    const db = new Database(file);
    assert.equal(migrate(db, next), latest + 1);
    assert.equal(migrate(db, next), latest + 1, "a second run finds the step done (no duplicate column error)");
    assert.ok(db.prepare("SELECT note FROM orders").all());
    db.close();
    assert.throws(() => openDb(file), /schema version \d+; this Warren knows up to \d+/);
  });
});
