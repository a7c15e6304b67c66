import type { Pool } from "pg";
import type { AuditEntry, AuditInput } from "../../audit/log";
import { type AuditRow, auditColumns as columns, toAuditEntry as toEntry } from "../rows";
import type { AuditStore } from "../store";

/** The audit trail on PostgreSQL (table `audit_log`): appended to, never edited. */
export class PgAudit implements AuditStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async append(input: AuditInput): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO audit_log (at, actor, action, target, details, result, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        input.at ?? Date.now(),
        input.actor.slice(0, 100),
        input.action.slice(0, 100),
        input.target?.slice(0, 300) ?? null,
        input.details ? JSON.stringify(input.details).slice(0, 4000) : null,
        input.result,
        input.message?.slice(0, 1000) ?? null,
      ],
    );
    return rows[0]?.id ?? 0;
  }

  private async entries(sql: string, params: unknown[]): Promise<AuditEntry[]> {
    await this.ready();
    const { rows } = await this.pool.query<AuditRow>(sql, params);
    return rows.map(toEntry);
  }

  recent(limit = 50, offset = 0): Promise<AuditEntry[]> {
    return this.entries(`SELECT ${columns} FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
  }

  olderThan(beforeId: number | null, limit: number): Promise<AuditEntry[]> {
    return beforeId === null
      ? this.entries(`SELECT ${columns} FROM audit_log ORDER BY id DESC LIMIT $1`, [limit])
      : this.entries(`SELECT ${columns} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, [beforeId, limit]);
  }

  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log");
    return rows[0]?.n ?? 0;
  }

  byActionPrefix(prefix: string, limit = 20): Promise<AuditEntry[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.entries(`SELECT ${columns} FROM audit_log WHERE action LIKE $1 ORDER BY id DESC LIMIT $2`, [
      pattern,
      limit,
    ]);
  }

  forTarget(target: string, limit = 10): Promise<AuditEntry[]> {
    return this.entries(`SELECT ${columns} FROM audit_log WHERE target = $1 ORDER BY id DESC LIMIT $2`, [
      target,
      limit,
    ]);
  }
}
