import type { AuditEntry, AuditResult } from "../audit/log";
import type { Payment } from "../payments/decide";
import type { TraceStatus } from "../trace/trace";
import type { Role, SessionRow, SessionWithUser, UserRow } from "./accounts";
import type { DeadLetterSource } from "./store";

/**
 * How rows of the tables both adapters share (same names, same columns) become
 * domain values: one mapping, whichever database answered.
 */

export interface PaymentRow {
  seq: number;
  order_id: string;
  item: string;
  quantity: number;
  amount_cents: number;
  placed_at: number | null;
  paid_at: number;
}

export const paymentColumns = "seq, order_id, item, quantity, amount_cents, placed_at, paid_at";

export function toPayment(row: PaymentRow): Payment {
  return {
    seq: row.seq,
    orderId: row.order_id,
    item: row.item,
    quantity: row.quantity,
    amountCents: row.amount_cents,
    placedAt: row.placed_at,
    paidAt: row.paid_at,
    latencyMs: row.placed_at === null ? null : Math.max(0, row.paid_at - row.placed_at),
  };
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  result: AuditResult;
  message: string | null;
}

export const auditColumns = "id, at, actor, action, target, details, result, message";

export function toAuditEntry(row: AuditRow): AuditEntry {
  return { ...row, details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null };
}

/**
 * The trace's summary of one order from every table that knows it; `i.order_id` names the orders asked
 * for (each adapter says where they come from: a VALUES list, unnest, a search).
 */
export const traceSummaryColumns = `i.order_id,
         COALESCE(p.item, o.item) AS item,
         COALESCE(p.quantity, o.quantity) AS quantity,
         COALESCE(o.placed_at, p.placed_at) AS placed_at,
         o.confirmed_at, o.status AS order_status, o.error, o.source, o.traceparent,
         p.paid_at, p.amount_cents,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id) AS deliveries,
         (SELECT COUNT(*) FROM duplicates u WHERE u.order_id = i.order_id) AS duplicates,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id AND d.redelivered = 1) AS redelivered,
         (SELECT outcome FROM deliveries d WHERE d.order_id = i.order_id ORDER BY d.id DESC LIMIT 1) AS last_outcome`;

/** Candidate ids come from indexed, bounded queries; only those few get a full summary. */
export const traceCandidateSql: Record<TraceStatus | "latest", string[]> = {
  latest: [
    "SELECT order_id FROM orders ORDER BY placed_at DESC LIMIT 100",
    "SELECT order_id FROM payments ORDER BY seq DESC LIMIT 100",
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL ORDER BY id DESC LIMIT 100",
  ],
  paid: ["SELECT order_id FROM payments ORDER BY seq DESC LIMIT 200"],
  "in-flight": [
    `SELECT o.order_id FROM orders o WHERE o.status IN ('confirmed', 'accepted')
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.order_id)
     ORDER BY o.placed_at DESC LIMIT 200`,
  ],
  "dead-lettered": [
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL AND outcome IN ('dead-lettered', 'conflict') ORDER BY id DESC LIMIT 1000",
  ],
  failed: ["SELECT order_id FROM orders WHERE status = 'failed' ORDER BY placed_at DESC LIMIT 200"],
  duplicates: ["SELECT order_id FROM duplicates ORDER BY id DESC LIMIT 1000"],
  redelivered: [
    "SELECT order_id FROM deliveries WHERE order_id IS NOT NULL AND redelivered = 1 ORDER BY id DESC LIMIT 1000",
  ],
};

/** A row of dead_letter_sources grouped by reason group and producer (both backends). */
export interface SourceRow {
  reason_group: string;
  app_id: string | null;
  user_id: string | null;
  count: number;
  first_at: number;
  last_at: number;
  last_minute: number;
  last_hour: number;
}

export const sourceOf = (r: SourceRow): DeadLetterSource => ({
  group: r.reason_group,
  appId: r.app_id,
  userId: r.user_id,
  count: Number(r.count),
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
  lastMinute: Number(r.last_minute),
  lastHour: Number(r.last_hour),
});

/** A row of users: SQLite keeps `disabled` as 0/1, PostgreSQL as a boolean. */
export interface RawUser {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  disabled: number | boolean;
  source: "env" | "cli";
  created_at: number;
}

export interface RawSession {
  id: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
  client: string | null;
  user_agent: string | null;
}

/** A session joined with its user's name, role and disabled flag (`SELECT s.*, u.name, u.role, u.disabled`). */
export type RawSessionWithUser = RawSession & Pick<RawUser, "name" | "role" | "disabled">;

export const toUser = (row: RawUser): UserRow => ({
  id: row.id,
  name: row.name,
  role: row.role,
  passwordHash: row.password_hash,
  disabled: Boolean(row.disabled),
  source: row.source,
  createdAt: row.created_at,
});

export const toSession = (row: RawSession): SessionRow => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  revokedAt: row.revoked_at,
  client: row.client,
  userAgent: row.user_agent,
});

export const toSessionWithUser = (row: RawSessionWithUser): SessionWithUser => ({
  ...toSession(row),
  user: { id: row.user_id, name: row.name, role: row.role, disabled: Boolean(row.disabled) },
});
