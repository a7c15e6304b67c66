import { traceIdOf } from "../tracing/viewer";

/**
 * The per-order trace, read from what each stage already writes: the web
 * process's `orders` (placed, confirmed), the consumer's `deliveries` (every
 * delivery and what became of it, with `delivery_acks` for the ack time),
 * `payments` and `duplicates`, and the door's `absorbed` client retries (Idempotency-Key replays).
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
  | "acked"
  /** A client sent the order again with the same Idempotency-Key and got the first answer: no second order. */
  | "client-retry";

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
  /** The OpenTelemetry trace of its placing request (null when tracing was off or it came from another producer). */
  traceId: string | null;
}

/** One order as the store reads it from every table that knows it. */
export interface SummaryRow {
  order_id: string;
  item: string | null;
  quantity: number | null;
  placed_at: number | null;
  confirmed_at: number | null;
  order_status: string | null;
  error: string | null;
  source: string | null;
  /** The W3C trace context of the request that placed it (lib/tracing), when tracing was on. */
  traceparent?: string | null;
  paid_at: number | null;
  amount_cents: number | null;
  deliveries: number;
  duplicates: number;
  redelivered: number;
  last_outcome: string | null;
}

export function statusOf(row: SummaryRow): OrderSummary["status"] {
  if (row.paid_at !== null) return "paid";
  if (row.order_status === "failed") return "failed";
  if (row.last_outcome === "dead-lettered" || row.last_outcome === "conflict") return "dead-lettered";
  if (row.deliveries > 0) return "delivered";
  return "in-flight";
}

export function toSummary(row: SummaryRow): OrderSummary {
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

export const matchesStatus: Record<TraceStatus, (row: SummaryRow) => boolean> = {
  paid: (r) => r.paid_at !== null,
  // "accepted": durable in the outbox, still waiting for the broker — in flight too.
  "in-flight": (r) =>
    r.paid_at === null && (r.order_status === "confirmed" || r.order_status === "accepted") && r.deliveries === 0,
  "dead-lettered": (r) => r.paid_at === null && (r.last_outcome === "dead-lettered" || r.last_outcome === "conflict"),
  failed: (r) => r.order_status === "failed",
  duplicates: (r) => r.duplicates > 0,
  redelivered: (r) => r.redelivered > 0,
};

export interface SearchQuery {
  /** Order id (exact or prefix) or item (substring). */
  q?: string;
  status?: TraceStatus;
  limit?: number;
}

/**
 * Search results from candidate summaries: the status filter, the id (prefix or the tail the
 * screens show) or item match, newest first.
 */
export function rankSummaries(
  rows: Iterable<SummaryRow>,
  term: string | undefined,
  { status, limit = 50 }: SearchQuery,
) {
  const lowered = term?.toLowerCase();
  const kept: SummaryRow[] = [];
  for (const row of rows) {
    if (status && !matchesStatus[status](row)) continue;
    const idMatches = term !== undefined && (row.order_id.startsWith(term) || row.order_id.endsWith(term));
    if (lowered && !idMatches && !(row.item ?? "").toLowerCase().includes(lowered)) continue;
    kept.push(row);
  }
  const when = (r: SummaryRow) => r.placed_at ?? r.paid_at ?? 0;
  kept.sort((a, b) => when(b) - when(a));
  return kept.slice(0, Math.min(Math.max(limit, 1), 200)).map(toSummary);
}

/** "…1a2b3c4d" as the screens show it is the same search as "1a2b3c4d". */
export function searchTerm(q: string | undefined): string | undefined {
  const term = q?.trim().replace(/^…/, "");
  return term ? term : undefined;
}

/** One delivery of an order, with its ack time. */
export interface DeliveryRow {
  id: number;
  message_id: string;
  delivered_at: number;
  redelivered: number;
  outcome: string;
  reason: string | null;
  acked_at: number | null;
}

/** The hops of one order, each timed from its cause. */
export function buildTrace(
  row: SummaryRow,
  deliveries: DeliveryRow[],
  payment: { message_id: string; paid_at: number } | undefined,
  clientRetries: readonly number[] = [],
): OrderTrace {
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
  for (const at of clientRetries) {
    add(
      {
        kind: "client-retry",
        at,
        detail: "same Idempotency-Key, same body: answered with this order again, no second order",
      },
      placed,
    );
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
    traceId: traceIdOf(row.traceparent),
  };
}
