import type { AuditEntry, AuditInput } from "../../audit/log";
import type { Db } from "../db";
import { durabilityOf } from "../durable";
import { type AuditRow, toAuditEntry as toEntry } from "../rows";

/** The audit trail on SQLite (table `audit_log`), appended to, never edited. */
export class AuditLog {
  private readonly insert;
  private readonly recentStmt;
  private readonly olderStmt;
  private readonly countStmt;
  private readonly forTargetStmt;
  private readonly byActionStmt;

  constructor(readonly db: Db) {
    this.insert = db.prepare<[number, string, string, string | null, string | null, string, string | null]>(
      "INSERT INTO audit_log (at, actor, action, target, details, result, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.recentStmt = db.prepare<[number, number], AuditRow>(
      "SELECT id, at, actor, action, target, details, result, message FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?",
    );
    this.olderStmt = db.prepare<[number, number], AuditRow>(
      "SELECT id, at, actor, action, target, details, result, message FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
    );
    this.countStmt = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM audit_log");
    this.byActionStmt = db.prepare<[string, number], AuditRow>(
      "SELECT * FROM audit_log WHERE action LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
    );
    this.forTargetStmt = db.prepare<[string, number], AuditRow>(
      "SELECT id, at, actor, action, target, details, result, message FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?",
    );
  }

  record(input: AuditInput): number {
    const details = input.details ? JSON.stringify(input.details).slice(0, 4000) : null;
    const info = this.insert.run(
      input.at ?? Date.now(),
      input.actor.slice(0, 100),
      input.action.slice(0, 100),
      input.target?.slice(0, 300) ?? null,
      details,
      input.result,
      input.message?.slice(0, 1000) ?? null,
    );
    // On disk within a few ms, off the event loop; the action's answer does not wait for it.
    durabilityOf(this.db)
      .sync()
      .catch(() => {});
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  recent(limit = 50, offset = 0): AuditEntry[] {
    return this.recentStmt.all(limit, offset).map(toEntry);
  }

  /** Newest first, the entries older than `beforeId` (all when null): a keyset page through the primary key. */
  olderThan(beforeId: number | null, limit: number): AuditEntry[] {
    return this.olderStmt.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit).map(toEntry);
  }

  /** Entries whose action starts with a prefix, e.g. "dead-letters.". */
  byActionPrefix(prefix: string, limit = 20): AuditEntry[] {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.byActionStmt.all(pattern, limit).map(toEntry);
  }

  /** Newest first, only the entries about one target (e.g. a queue). */
  forTarget(target: string, limit = 10): AuditEntry[] {
    return this.forTargetStmt.all(target, limit).map(toEntry);
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
