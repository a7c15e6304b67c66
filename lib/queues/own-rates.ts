/** Warren's own counters, summed over this process's publisher and consumer. */
export interface OwnCounters {
  published: number;
  delivered: number;
  acked: number;
}

export interface OwnRates {
  /** Per second, over the last sampling interval; null until two samples exist. */
  publish: number | null;
  deliver: number | null;
  ack: number | null;
  totals: OwnCounters;
  windowMs: number | null;
}

/**
 * Rates computed from Warren's own counters (confirmed publishes, deliveries
 * received, acks sent), since broker-side rate statistics are deprecated
 * upstream and absent in limited mode. Per process: a separate worker keeps
 * its own.
 */
export class OwnRateMeter {
  private previous: { at: number; counters: OwnCounters } | null = null;
  private current: { at: number; counters: OwnCounters } | null = null;

  constructor(private readonly read: () => OwnCounters) {}

  sample(at = Date.now()) {
    this.previous = this.current;
    this.current = { at, counters: { ...this.read() } };
  }

  rates(): OwnRates {
    const totals = this.read();
    const a = this.previous;
    const b = this.current;
    if (!a || !b || b.at <= a.at) return { publish: null, deliver: null, ack: null, totals, windowMs: null };
    const seconds = (b.at - a.at) / 1000;
    const per = (key: keyof OwnCounters) => Math.max(0, b.counters[key] - a.counters[key]) / seconds;
    return { publish: per("published"), deliver: per("delivered"), ack: per("acked"), totals, windowMs: b.at - a.at };
  }
}
