import "server-only";
import { getRuntime } from "../runtime";
import type { Db } from "../store/db";

/**
 * A minimal audit log: who did what to which target, when, and how it ended.
 * (Kept tiny on purpose; the operator-actions work owns the fuller version.)
 */
export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  result: "ok" | "error" | "partial";
  detail?: unknown;
}

const ensured = new WeakSet<Db>();

function ensureTable(db: Db) {
  if (ensured.has(db)) return;
  db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
     id     INTEGER PRIMARY KEY AUTOINCREMENT,
     at     INTEGER NOT NULL,
     actor  TEXT    NOT NULL,
     action TEXT    NOT NULL,
     target TEXT    NOT NULL,
     result TEXT    NOT NULL,
     detail TEXT
   )`);
  ensured.add(db);
}

/** Records an operator action in this process's database. */
export function recordAudit(entry: AuditEntry): void {
  writeAudit(getRuntime().ledger.db, entry);
}

export function writeAudit(db: Db, entry: AuditEntry, at = Date.now()): void {
  ensureTable(db);
  db.prepare("INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?)").run(
    at,
    entry.actor,
    entry.action,
    entry.target,
    entry.result,
    entry.detail === undefined ? null : JSON.stringify(entry.detail).slice(0, 4000),
  );
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  result: string;
  detail: string | null;
}

export function recentAudit(db: Db, { actionPrefix, limit = 20 }: { actionPrefix?: string; limit?: number } = {}) {
  ensureTable(db);
  return db
    .prepare<[string, number], AuditRow>(
      "SELECT id, at, actor, action, target, result, detail FROM audit_log WHERE action LIKE ? ORDER BY id DESC LIMIT ?",
    )
    .all(`${actionPrefix ?? ""}%`, limit);
}
