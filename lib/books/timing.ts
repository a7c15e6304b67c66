import "server-only";
import { currentWarren } from "../process/current";
import type { WarrenStore } from "../store/store";
import { COST_MINUTES, type CostSeries, costSeries } from "./cost";
import { type LatencyReport, type LatencyWindow, summarizeHops } from "./latency";

export type { CostSeries } from "./cost";
export type { HopStats, LatencyReport, LatencyWindow } from "./latency";

/** The dashboard's windows: the last minute and the last hour. */
export const LATENCY_WINDOWS_MS = [60_000, 3_600_000] as const;
/**
 * Orders read per window at most: all of them up to this, an even spread beyond. 2,000 keeps a
 * window's read to a few thousand key lookups at any table size; p99 then rests on ~20 orders.
 */
export const LATENCY_SAMPLE = 2000;
/**
 * How long an answer is reused, per read: any number of tabs polling costs one read per process
 * per period. The hour's percentiles barely move in seconds, and its read is the dearest.
 */
const FRESH_MS = { minute: 2000, hour: 10_000, cost: 5000 } as const;
type Key = keyof typeof FRESH_MS;

const cache = new WeakMap<WarrenStore, Map<Key, { at: number; value: Promise<unknown> }>>();

function cached<T>(store: WarrenStore, key: Key, compute: () => Promise<T>): Promise<T> {
  const now = Date.now();
  let entries = cache.get(store);
  if (!entries) {
    entries = new Map();
    cache.set(store, entries);
  }
  const hit = entries.get(key);
  if (hit && now - hit.at < FRESH_MS[key]) return hit.value as Promise<T>;
  const value = compute();
  entries.set(key, { at: now, value });
  // A failed read is not kept: the next poll tries again.
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/**
 * Where the time goes and what exactly-once costs, for the dashboard: computed from the
 * database rows every process writes (shared by all of them), not from one process's
 * memory, so every web instance shows the same numbers whichever worker paid the orders.
 */
export const timing = {
  async latency(): Promise<LatencyReport> {
    const { store } = currentWarren();
    const windows = await Promise.all(
      LATENCY_WINDOWS_MS.map((windowMs) =>
        cached(store, windowMs === 60_000 ? "minute" : "hour", async (): Promise<LatencyWindow> => {
          const { total, rows } = await store.timing.paidSince(Date.now() - windowMs, LATENCY_SAMPLE);
          return { windowMs, paid: total, sampled: rows.length, hops: summarizeHops(rows) };
        }),
      ),
    );
    return { at: Date.now(), windows };
  },
  cost(): Promise<CostSeries> {
    const { store } = currentWarren();
    return cached(store, "cost", async () => {
      const now = Date.now();
      const minutes = COST_MINUTES;
      const from = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
      return costSeries(await store.timing.absorbedSince(from), now, minutes);
    });
  },
};
