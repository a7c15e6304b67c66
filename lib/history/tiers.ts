import type { HistoryTier } from "../store/store";

/** What is kept: 1 s for 10 min, 10 s for 24 h, 1 min for 30 days (lib/store HistoryStore.rollup). */
export const HISTORY_TIERS: HistoryTier[] = [
  { resolutionMs: 1000, keepMs: 10 * 60_000 },
  { resolutionMs: 10_000, keepMs: 24 * 3_600_000 },
  { resolutionMs: 60_000, keepMs: 30 * 86_400_000 },
];

/**
 * The range picker's choices and the step each is read at: the stored resolution for the short
 * ranges, wider buckets (averages of the stored ones, peaks kept) for the long ones so that a
 * chart carries at most ~1,500 points whatever the range.
 */
export const HISTORY_RANGES = {
  "10m": { label: "10 min", spanMs: 10 * 60_000, stepMs: 1000 },
  "1h": { label: "1 h", spanMs: 3_600_000, stepMs: 10_000 },
  "24h": { label: "24 h", spanMs: 86_400_000, stepMs: 60_000 },
  "7d": { label: "7 d", spanMs: 7 * 86_400_000, stepMs: 10 * 60_000 },
  "30d": { label: "30 d", spanMs: 30 * 86_400_000, stepMs: 3_600_000 },
} as const;

export type HistoryRange = keyof typeof HISTORY_RANGES;
export const RANGE_KEYS = Object.keys(HISTORY_RANGES) as HistoryRange[];

export function isHistoryRange(value: string): value is HistoryRange {
  return Object.hasOwn(HISTORY_RANGES, value);
}

/** The finest tier that still holds data as old as `spanMs`: where a range's oldest points come from. */
export function tierFor(spanMs: number): number {
  const tier = HISTORY_TIERS.find((t) => t.keepMs >= spanMs) ?? HISTORY_TIERS.at(-1);
  return tier?.resolutionMs ?? 60_000;
}

/** At most this many rows per queue are kept: every tier full. */
export const ROWS_PER_QUEUE_BOUND = HISTORY_TIERS.reduce((sum, t) => sum + t.keepMs / t.resolutionMs, 0);
