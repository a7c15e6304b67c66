import type { HopTimes } from "../store/store";

/**
 * Where the time of an order goes (issue 12, part 3), from the timestamps the stages
 * already write: the order door (`orders.placed_at`), the relay's confirm
 * (`orders.confirmed_at`), the consumer's delivery (`deliveries.delivered_at`), the
 * ledger's commit (`payments.paid_at`) and the ack (`delivery_acks.acked_at`). Pure:
 * the store reads the rows, this turns them into per-hop percentiles and histograms.
 */
export const HOPS = ["place_confirmed", "confirmed_delivered", "delivered_paid", "paid_acked", "total"] as const;
export type HopName = (typeof HOPS)[number];

export const HOP_LABELS: Record<HopName, string> = {
  place_confirmed: "place → confirmed",
  confirmed_delivered: "confirmed → delivered",
  delivered_paid: "delivered → paid",
  paid_acked: "paid → acked",
  total: "whole order (place → acked)",
};

/** Upper bounds in ms; the same edges (in seconds) as the Prometheus histogram, plus +Inf. */
export const HOP_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

/**
 * One hop's duration in ms, or null when a stage's time is not known (yet). The confirm
 * reaches the publisher while the broker already delivers, so a delivery can be stamped
 * before the confirm: that hop counts as 0 ms (the broker was not the wait), never negative.
 */
export function hopDurations(row: HopTimes): Record<HopName, number | null> {
  const span = (from: number | null, to: number | null) =>
    from === null || to === null ? null : Math.max(0, to - from);
  return {
    place_confirmed: span(row.placedAt, row.confirmedAt),
    confirmed_delivered: span(row.confirmedAt, row.deliveredAt),
    delivered_paid: span(row.deliveredAt, row.paidAt),
    paid_acked: span(row.paidAt, row.ackedAt),
    total: span(row.placedAt, row.ackedAt),
  };
}

/** Nearest-rank percentile of ascending `sorted` (p in (0, 100]); null for no values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export interface HopStats {
  hop: HopName;
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Orders per bucket (not cumulative): bucket i holds durations ≤ HOP_BUCKETS_MS[i] and above the one before; the last is +Inf. */
  buckets: number[];
}

export function bucketIndex(ms: number): number {
  const i = HOP_BUCKETS_MS.findIndex((edge) => ms <= edge);
  return i === -1 ? HOP_BUCKETS_MS.length : i;
}

/** Per-hop percentiles and histograms of the given orders. */
export function summarizeHops(rows: readonly HopTimes[]): HopStats[] {
  const values = new Map<HopName, number[]>(HOPS.map((hop) => [hop, []]));
  for (const row of rows) {
    const durations = hopDurations(row);
    for (const hop of HOPS) {
      const ms = durations[hop];
      if (ms !== null) values.get(hop)?.push(ms);
    }
  }
  return HOPS.map((hop) => {
    const sorted = (values.get(hop) ?? []).sort((a, b) => a - b);
    const buckets = new Array<number>(HOP_BUCKETS_MS.length + 1).fill(0);
    for (const ms of sorted) buckets[bucketIndex(ms)] = (buckets[bucketIndex(ms)] ?? 0) + 1;
    return {
      hop,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? null,
      buckets,
    };
  });
}

export interface LatencyWindow {
  /** The window's length in ms (60 000: last minute; 3 600 000: last hour). */
  windowMs: number;
  /** Orders paid in the window. */
  paid: number;
  /** How many of them were read (all when `paid` ≤ the sample size; an even spread otherwise). */
  sampled: number;
  hops: HopStats[];
}

export interface LatencyReport {
  at: number;
  windows: LatencyWindow[];
}
