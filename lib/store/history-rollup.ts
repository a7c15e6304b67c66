import type { HistoryTier } from "./store";

/** One step of a rollup: fold `from` rows older than `cutoff` into `into` buckets (or only delete, when `into` is null). */
export interface RollupStep {
  from: number;
  into: number | null;
  cutoff: number;
}

/**
 * The rollup's plan at `at`: each tier's rows older than its keep move to the next tier, cut at a
 * multiple of the next tier's resolution so only whole buckets move (a bucket never rolls twice);
 * the last tier's old rows are deleted.
 */
export function rollupPlan(at: number, tiers: HistoryTier[]): RollupStep[] {
  return tiers.map((tier, i) => {
    const next = tiers[i + 1];
    if (!next) return { from: tier.resolutionMs, into: null, cutoff: at - tier.keepMs };
    return {
      from: tier.resolutionMs,
      into: next.resolutionMs,
      cutoff: Math.floor((at - tier.keepMs) / next.resolutionMs) * next.resolutionMs,
    };
  });
}
