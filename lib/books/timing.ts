import "server-only";
import { currentWarren } from "../process/current";
import type { WarrenStore } from "../store/store";
import { type CostSeries, costSeries } from "./cost";
import { type LatencyReport, summarizeHops } from "./latency";

export type { CostSeries } from "./cost";
export type { HopStats, LatencyReport, LatencyWindow } from "./latency";

/** The dashboard's windows: the last minute and the last hour. */
export const LATENCY_WINDOWS_MS = [60_000, 3_600_000] as const;
/**
 * Orders read per window at most: all of them up to this, an even spread beyond. 2,000 keeps a
 * window's read to a few thousand key lookups at any table size; p99 then rests on ~20 orders.
 */
export const LATENCY_SAMPLE = 2000;
/** Answers are reused this long: any number of tabs polling costs one read per process per interval. */
const FRESH_MS = 2000;

const cache = new WeakMap<WarrenStore, { latency?: Cached<LatencyReport>; cost?: Cached<CostSeries> }>();
interface Cached<T> {
  at: number;
  value: Promise<T>;
}

function cached<K extends "latency" | "cost">(
  store: WarrenStore,
  key: K,
  compute: (now: number) => Promise<K extends "latency" ? LatencyReport : CostSeries>,
) {
  const now = Date.now();
  const entry = cache.get(store) ?? {};
  cache.set(store, entry);
  const hit = entry[key] as Cached<K extends "latency" ? LatencyReport : CostSeries> | undefined;
  if (hit && now - hit.at < FRESH_MS) return hit.value;
  const value = compute(now);
  // A failed read is not kept: the next poll tries again.
  value.catch(() => {
    if (entry[key]?.value === value) delete entry[key];
  });
  (entry as Record<string, unknown>)[key] = { at: now, value };
  return value;
}

/**
 * Where the time goes and what exactly-once costs, for the dashboard: computed from the
 * database rows every process writes (shared by all of them), not from one process's
 * memory, so every web instance shows the same numbers whichever worker paid the orders.
 */
export const timing = {
  latency(): Promise<LatencyReport> {
    const { store } = currentWarren();
    return cached(store, "latency", async (now) => ({
      at: now,
      windows: await Promise.all(
        LATENCY_WINDOWS_MS.map(async (windowMs) => {
          const { total, rows } = await store.timing.paidSince(now - windowMs, LATENCY_SAMPLE);
          return { windowMs, paid: total, sampled: rows.length, hops: summarizeHops(rows) };
        }),
      ),
    }));
  },
  cost(): Promise<CostSeries> {
    const { store } = currentWarren();
    return cached(store, "cost", async (now) => {
      const minutes = 60;
      const from = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
      return costSeries(await store.timing.absorbedSince(from), now, minutes);
    });
  },
};
