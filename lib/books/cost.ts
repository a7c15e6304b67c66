import type { AbsorbedCause, AbsorbedKind, AbsorbedMinute } from "../store/store";

/**
 * The cost of exactly-once (issue 12, part 7): every duplicate or conflict Warren absorbed,
 * by why it came. Pure: the ledger and the order door call causeOf / record the rows, this
 * shapes them per minute for the chart.
 */
export const CAUSES = [
  "broker_redelivery",
  "outbox_republish",
  "client_retry",
  "producer_resend",
] as const satisfies readonly AbsorbedCause[];

export const CAUSE_LABELS: Record<AbsorbedCause, string> = {
  broker_redelivery: "broker redelivery",
  outbox_republish: "outbox re-publish",
  client_retry: "client retry",
  producer_resend: "producer resend",
};

/**
 * Why a delivery of an order that is already paid came. In this order, because the causes
 * overlap: a copy the broker marks `redelivered` is the broker's doing, whatever else
 * happened; otherwise a copy of an order Warren's relay sent more than once is a re-publish
 * (re-published messages arrive with redelivered=false); anything else is a producer that
 * sent the same order id again (an external producer, or a resend by hand).
 */
export function causeOf({ redelivered, publishes }: { redelivered: boolean; publishes: number | null }): AbsorbedCause {
  if (redelivered) return "broker_redelivery";
  if (publishes !== null && publishes > 1) return "outbox_republish";
  return "producer_resend";
}

export interface CostSeries {
  at: number;
  /** The first minute shown (epoch ms, on a minute boundary); one point per minute after it. */
  from: number;
  minutes: number;
  /** Per cause: absorbed per minute, oldest first (duplicates and conflicts together). */
  perMinute: Record<AbsorbedCause, number[]>;
  /** Totals per cause and kind over the last minute and the whole series. */
  lastMinute: Record<AbsorbedCause, number>;
  total: Record<AbsorbedCause, { duplicate: number; conflict: number }>;
}

const MINUTE = 60_000;

/** The cost chart's window: the longest span of `absorbed` any read asks for (lib/books/timing.ts). */
export const COST_MINUTES = 60;
/**
 * How long `absorbed` rows are kept (pruned by the alerts leader, lib/alerts/evaluator.ts): the chart's
 * hour and an hour's margin (a slow prune round, a clock a little off). An order's trace shows its client
 * retries only while their rows are kept.
 */
export const ABSORBED_KEPT_MS = 2 * COST_MINUTES * MINUTE;

/** The store's per-minute groups as a fixed series of `minutes` points ending with the current minute. */
export function costSeries(rows: readonly AbsorbedMinute[], at: number, minutes = COST_MINUTES): CostSeries {
  const current = Math.floor(at / MINUTE) * MINUTE;
  const from = current - (minutes - 1) * MINUTE;
  const zeros = () => new Array<number>(minutes).fill(0);
  const perMinute = Object.fromEntries(CAUSES.map((c) => [c, zeros()])) as Record<AbsorbedCause, number[]>;
  const total = Object.fromEntries(CAUSES.map((c) => [c, { duplicate: 0, conflict: 0 }])) as CostSeries["total"];
  for (const row of rows) {
    const index = Math.floor((row.minute - from) / MINUTE);
    const series = perMinute[row.cause];
    if (!series || index < 0 || index >= minutes) continue;
    series[index] = (series[index] ?? 0) + row.count;
    total[row.cause][row.kind as AbsorbedKind] += row.count;
  }
  const lastMinute = Object.fromEntries(CAUSES.map((c) => [c, perMinute[c].at(-1) ?? 0])) as Record<
    AbsorbedCause,
    number
  >;
  return { at, from, minutes, perMinute, lastMinute, total };
}
