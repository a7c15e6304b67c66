import type { HistoryStore, RateSource } from "../store/store";
import { HISTORY_RANGES, type HistoryRange, tierFor } from "./tiers";

/** A queue's history over one range, columnar (as charts take it): one slot per step, null where nothing was recorded. */
export interface HistoryView {
  queue: string;
  range: HistoryRange;
  /** The bucket width of this answer, and the finest stored resolution its oldest points come from. */
  stepMs: number;
  tierMs: number;
  from: number;
  to: number;
  at: number[];
  ready: Array<number | null>;
  readyMax: Array<number | null>;
  unacked: Array<number | null>;
  consumers: Array<number | null>;
  publish: Array<number | null>;
  deliver: Array<number | null>;
  ack: Array<number | null>;
  /** Where the newest rates came from ("broker", "derived", "prometheus"); null when none were recorded. */
  rateSource: RateSource | null;
  /** Slots with at least one sample. */
  filled: number;
}

const COLUMNS = ["ready", "readyMax", "unacked", "consumers", "publish", "deliver", "ack"] as const;

export async function readHistory(
  store: HistoryStore,
  queue: string,
  range: HistoryRange,
  now: number,
): Promise<HistoryView> {
  const { spanMs, stepMs } = HISTORY_RANGES[range];
  const to = Math.floor(now / stepMs) * stepMs + stepMs;
  const from = to - spanMs;
  const buckets = await store.read(queue, from, to, stepMs);
  const slots = Math.round(spanMs / stepMs);
  const view: HistoryView = {
    queue,
    range,
    stepMs,
    tierMs: tierFor(spanMs),
    from,
    to,
    at: Array.from({ length: slots }, (_, i) => from + i * stepMs),
    ready: [],
    readyMax: [],
    unacked: [],
    consumers: [],
    publish: [],
    deliver: [],
    ack: [],
    rateSource: null,
    filled: buckets.length,
  };
  for (const column of COLUMNS) view[column] = new Array(slots).fill(null);
  for (const bucket of buckets) {
    const i = Math.round((bucket.at - from) / stepMs);
    if (i < 0 || i >= slots) continue;
    for (const column of COLUMNS) view[column][i] = bucket[column];
    if (bucket.rateSource) view.rateSource = bucket.rateSource;
  }
  return view;
}

/** How long a read of `range` is reused: half its oldest points' stored resolution (1 s → 0.5 s, 1 min → 30 s). */
export function historyFreshMs(range: HistoryRange): number {
  return tierFor(HISTORY_RANGES[range].spanMs) / 2;
}

const SWEEP_EVERY_MS = 60_000;
/**
 * Answers kept at most. Anyone may read a queue's history, and a name need not exist: without a
 * bound, requests for made-up names (~93 kB each for 24 h) grew the heap by a gigabyte a minute.
 */
export const MAX_HISTORY_READS = 256;

/**
 * Reads of a queue's history shared by every viewer of a process: one store read per (queue, range)
 * per `historyFreshMs(range)`, whatever the number of tabs polling (the 30-day read costs ~0.1 s).
 * A failed read is not kept; expired answers are dropped at least once a minute.
 */
export class HistoryReads {
  private readonly entries = new Map<string, { at: number; value: Promise<HistoryView> }>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: HistoryStore,
    private readonly now: () => number = Date.now,
  ) {}

  read(queue: string, range: HistoryRange): Promise<HistoryView> {
    const at = this.now();
    this.sweep(at);
    const key = `${range}\u0000${queue}`;
    const hit = this.entries.get(key);
    if (hit && at - hit.at < historyFreshMs(range)) return hit.value;
    const value = readHistory(this.store, queue, range, at);
    this.entries.delete(key);
    if (this.entries.size >= MAX_HISTORY_READS) {
      this.sweep(at, true);
      // Still full of fresh answers: drop the oldest (a Map keeps insertion order).
      for (const old of this.entries.keys()) {
        if (this.entries.size < MAX_HISTORY_READS) break;
        this.entries.delete(old);
      }
    }
    this.entries.set(key, { at, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** Answers kept (the (queue, range) pairs read in the last minute or so, at most MAX_HISTORY_READS). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(at: number, now = false): void {
    if (!now && at - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = at;
    for (const [key, entry] of this.entries) {
      const range = key.slice(0, key.indexOf("\u0000")) as HistoryRange;
      if (at - entry.at >= historyFreshMs(range)) this.entries.delete(key);
    }
  }
}

/**
 * The process's one HistoryReads for a store, kept on the store itself: route handlers may load this
 * module in separate module graphs (Next.js) and must still share one cache.
 */
const READS = Symbol.for("warren.history-reads");

export function historyReadsOf(store: HistoryStore): HistoryReads {
  const slot = store as HistoryStore & { [READS]?: HistoryReads };
  slot[READS] ??= new HistoryReads(store);
  return slot[READS];
}
