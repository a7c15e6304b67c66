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
