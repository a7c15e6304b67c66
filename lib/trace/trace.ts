import { cachedStatement, type Db } from "../store/db";

/**
 * The per-order trace, read from what each stage already writes: the web
 * process's `orders` (placed, confirmed), the consumer's `deliveries` (every
 * delivery and what became of it, with `delivery_acks` for the ack time),
 * `payments` and `duplicates`.
 */
export const TRACE_STATUSES = ["paid", "in-flight", "dead-lettered", "failed", "duplicates", "redelivered"] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

export interface OrderSummary {
  orderId: string;
  item: string | null;
  quantity: number | null;
  status: "paid" | "in-flight" | "dead-lettered" | "failed" | "delivered";
  placedAt: number | null;
  paidAt: number | null;
  deliveries: number;
  duplicates: number;
  redelivered: boolean;
}

export type HopKind =
  | "placed"
  | "confirmed"
  | "delivered"
  | "paid"
  | "duplicate"
  | "conflict"
  | "dead-lettered"
  | "acked";

export interface Hop {
  kind: HopKind;
  at: number;
  /** Time since the hop that caused this one (`since`), in ms. */
  sincePreviousMs: number | null;
  since: HopKind | null;
  messageId?: string;
  redelivered?: boolean;
  detail?: string;
}

export interface OrderTrace extends OrderSummary {
  source: string | null;
  amountCents: number | null;
  error: string | null;
  hops: Hop[];
  /** Placed → paid, when both are known. */
  totalMs: number | null;
}

interface SummaryRow {
  order_id: string;
  item: string | null;
  quantity: number | null;
  placed_at: number | null;
  confirmed_at: number | null;
  order_status: string | null;
  error: string | null;
  source: string | null;
  paid_at: number | null;
  amount_cents: number | null;
  deliveries: number;
  duplicates: number;
  redelivered: number;
  last_outcome: string | null;
}

/** One order's summary from every table that knows it (a row of nulls when none does). */
const summaryByIdSql = `
  SELECT i.order_id,
         COALESCE(p.item, o.item) AS item,
         COALESCE(p.quantity, o.quantity) AS quantity,
         COALESCE(o.placed_at, p.placed_at) AS placed_at,
         o.confirmed_at, o.status AS order_status, o.error, o.source,
         p.paid_at, p.amount_cents,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id) AS deliveries,
         (SELECT COUNT(*) FROM duplicates u WHERE u.order_id = i.order_id) AS duplicates,
         (SELECT COUNT(*) FROM deliveries d WHERE d.order_id = i.order_id AND d.redelivered = 1) AS redelivered,
         (SELECT outcome FROM deliveries d WHERE d.order_id = i.order_id ORDER BY d.id DESC LIMIT 1) AS last_outcome
  FROM (SELECT ? AS order_id) i
  LEFT JOIN orders o ON o.order_id = i.order_id
  LEFT JOIN payments p ON p.order_id = i.order_id`;

function summaryRow(db: Db, orderId: string): SummaryRow | null {
  const row = cachedStatement<[string], SummaryRow>(db, summaryByIdSql).get(orderId);
  if (!row || (row.order_status === null && row.paid_at === null && row.deliveries === 0)) return null;
  return row;
}

function statusOf(row: SummaryRow): OrderSummary["status"] {
  if (row.paid_at !== null) return "paid";
  if (row.order_status === "failed") return "failed";
  if (row.last_outcome === "dead-lettered" || row.last_outcome === "conflict") return "dead-lettered";
  if (row.deliveries > 0) return "delivered";
  return "in-flight";
}

function toSummary(row: SummaryRow): OrderSummary {
  return {
    orderId: row.order_id,
    item: row.item,
    quantity: row.quantity,
    status: statusOf(row),
    placedAt: row.placed_at,
    paidAt: row.paid_at,
    deliveries: row.deliveries,
    duplicates: row.duplicates,
    redelivered: row.redelivered > 0,
  };
}

const matchesStatus: Record<TraceStatus, (row: SummaryRow) => boolean> = {
  paid: (r) => r.paid_at !== null,
  // "accepted": durable in the outbox, still waiting for the broker — in flight too.
  "in-flight": (r) =>
    r.paid_at === null && (r.order_status === "confirmed" || r.order_status === "accepted") && r.deliveries === 0,
  "dead-lettered": (r) => r.paid_at === null && (r.last_outcome === "dead-lettered" || r.last_outcome === "conflict"),
  failed: (r) => r.order_status === "failed",
  duplicates: (r) => r.duplicates > 0,
  redelivered: (r) => r.redelivered > 0,
};

/** Candidate ids come from indexed, bounded queries; only those few get a full summary. */
const candidateSql: Record<TraceStatus | "latest", string[]> = {
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

export interface SearchQuery {
  /** Order id (exact or prefix) or item (substring). */
  q?: string;
  status?: TraceStatus;
  limit?: number;
}

export function searchOrders(db: Db, { q, status, limit = 50 }: SearchQuery): OrderSummary[] {
  const ids = new Set<string>();
  const collect = (sql: string, ...params: string[]) => {
    for (const row of cachedStatement<string[], { order_id: string }>(db, sql).all(...params)) ids.add(row.order_id);
  };
  // "…1a2b3c4d" as the screens show it is the same search as "1a2b3c4d".
  const term = q?.trim().replace(/^…/, "");
  if (term) {
    // An id prefix as a range, so the primary-key index answers it; an item as a substring.
    const upper = `${term}\uffff`;
    collect("SELECT order_id FROM orders WHERE order_id >= ? AND order_id < ? LIMIT 200", term, upper);
    collect("SELECT order_id FROM payments WHERE order_id >= ? AND order_id < ? LIMIT 200", term, upper);
    const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
    // The screens show an id's last characters (a UUIDv7 starts with its time): match the tail too.
    const tail = `%${escaped}`;
    collect("SELECT order_id FROM orders WHERE order_id LIKE ? ESCAPE '\\' ORDER BY placed_at DESC LIMIT 200", tail);
    collect("SELECT order_id FROM payments WHERE order_id LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT 200", tail);
    const like = `%${escaped}%`;
    collect("SELECT order_id FROM orders WHERE item LIKE ? ESCAPE '\\' ORDER BY placed_at DESC LIMIT 500", like);
    collect("SELECT order_id FROM payments WHERE item LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT 500", like);
  } else {
    for (const sql of candidateSql[status ?? "latest"]) collect(sql);
  }
  const lowered = term?.toLowerCase();
  const rows: SummaryRow[] = [];
  for (const id of ids) {
    const row = summaryRow(db, id);
    if (!row) continue;
    if (status && !matchesStatus[status](row)) continue;
    const idMatches = term !== undefined && (row.order_id.startsWith(term) || row.order_id.endsWith(term));
    if (lowered && !idMatches && !(row.item ?? "").toLowerCase().includes(lowered)) continue;
    rows.push(row);
  }
  const when = (r: SummaryRow) => r.placed_at ?? r.paid_at ?? 0;
  rows.sort((a, b) => when(b) - when(a));
  return rows.slice(0, Math.min(Math.max(limit, 1), 200)).map(toSummary);
}

interface DeliveryRow {
  id: number;
  message_id: string;
  delivered_at: number;
  redelivered: number;
  outcome: string;
  reason: string | null;
  acked_at: number | null;
}

export function traceOrder(db: Db, orderId: string): OrderTrace | null {
  const row = summaryRow(db, orderId);
  if (!row) return null;
  const deliveries = cachedStatement<[string], DeliveryRow>(
    db,
    `SELECT d.id, d.message_id, d.delivered_at, d.redelivered, d.outcome, d.reason, a.acked_at
       FROM deliveries d LEFT JOIN delivery_acks a ON a.delivery_id = d.id
       WHERE d.order_id = ? ORDER BY d.id`,
  ).all(orderId);
  const payment = cachedStatement<[string], { message_id: string; paid_at: number }>(
    db,
    "SELECT message_id, paid_at FROM payments WHERE order_id = ?",
  ).get(orderId);

  // Each hop measures from its cause, not from whatever came just before in time: a publisher's
  // confirm and the broker's delivery to the consumer race, so "confirmed" can land after "paid".
  type Draft = Omit<Hop, "sincePreviousMs" | "since"> & { cause: Draft | null };
  const hops: Draft[] = [];
  const add = (hop: Omit<Draft, "cause">, cause: Draft | null): Draft => {
    const draft = { ...hop, cause };
    hops.push(draft);
    return draft;
  };
  const placed =
    row.placed_at !== null ? add({ kind: "placed", at: row.placed_at, detail: row.source ?? undefined }, null) : null;
  if (row.confirmed_at !== null) add({ kind: "confirmed", at: row.confirmed_at, detail: "broker confirm" }, placed);
  if (row.order_status === "failed" && row.error) {
    add({ kind: "conflict", at: row.placed_at ?? 0, detail: `not published: ${row.error}` }, placed);
  }
  let previous: Draft | null = placed;
  for (const d of deliveries) {
    const base = { messageId: d.message_id, redelivered: d.redelivered === 1 };
    let last: Draft | null = previous;
    if (d.outcome !== "dead-lettered") last = add({ kind: "delivered", at: d.delivered_at, ...base }, previous);
    if (d.outcome === "paid") {
      last = add({ kind: "paid", at: payment?.paid_at ?? d.delivered_at, ...base }, last);
    } else if (d.outcome === "duplicate") {
      last = add(
        {
          kind: "duplicate",
          at: d.acked_at ?? d.delivered_at,
          ...base,
          detail: "same order, same content: suppressed by the idempotency rule, not paid again",
        },
        last,
      );
    } else if (d.outcome === "conflict") {
      last = add({ kind: "conflict", at: d.acked_at ?? d.delivered_at, ...base, detail: d.reason ?? undefined }, last);
    } else if (d.outcome === "dead-lettered") {
      last = add({ kind: "dead-lettered", at: d.delivered_at, ...base, detail: d.reason ?? undefined }, last);
    }
    if (d.acked_at !== null) last = add({ kind: "acked", at: d.acked_at, ...base }, last);
    previous = last;
  }
  // Shown in time order (stable, so same-millisecond hops keep their causal order).
  const timed: Hop[] = hops
    .map((hop, index) => ({ hop, index }))
    .sort((a, b) => a.hop.at - b.hop.at || a.index - b.index)
    .map(({ hop: { cause, ...hop } }) => ({
      ...hop,
      sincePreviousMs: cause ? Math.max(0, hop.at - cause.at) : null,
      since: cause?.kind ?? null,
    }));
  const summary = toSummary(row);
  return {
    ...summary,
    source: row.source,
    amountCents: row.amount_cents,
    error: row.error,
    hops: timed,
    totalMs: summary.placedAt !== null && summary.paidAt !== null ? summary.paidAt - summary.placedAt : null,
  };
}
