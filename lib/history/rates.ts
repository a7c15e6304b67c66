import type { RateSource } from "../store/store";

export interface Rates {
  publish: number | null;
  deliver: number | null;
  ack: number | null;
  source: RateSource | null;
}

export const NO_RATES: Rates = { publish: null, deliver: null, ack: null, source: null };

/** Counts that only grow, kept by Warren for its order queue (summed over every process, in the database). */
export interface OwnCounts {
  /** Orders the broker confirmed (accepted minus those still in the outbox). */
  published: number;
  /** Deliveries the ledger recorded (each acked after its commit). */
  consumed: number;
}

interface Previous {
  at: number;
  ready: number;
  counts: OwnCounts | null;
}

/**
 * Rates from Warren's own samples, for when the broker gives none (statistics collection off,
 * as RabbitMQ 4 deprecates it). For the order queue: publish = confirmed publishes per second
 * (the outbox), ack = recorded deliveries per second (the ledger), deliver = publish minus the
 * growth of the ready count (what left "ready" went to a consumer). For any other queue, only
 * what the depth alone proves: with no consumer nothing is delivered, so publish = its growth;
 * with consumers the two cannot be told apart and the rates stay unknown.
 */
export class RateDeriver {
  private readonly previous = new Map<string, Previous>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  /**
   * @param forgetAfterMs a queue's last sample older than this is forgotten (a queue no longer
   *   tracked, deleted, or renamed is never asked about again): memory holds only the queues seen
   *   lately, and a rate is never drawn across a gap that long.
   */
  constructor(private readonly forgetAfterMs = 5 * 60_000) {}

  /** Queues whose last sample is kept. */
  get size(): number {
    return this.previous.size;
  }

  derive(queue: string, at: number, depth: { ready: number; consumers: number }, counts: OwnCounts | null): Rates {
    this.sweep(at);
    const before = this.previous.get(queue);
    this.previous.set(queue, { at, ready: depth.ready, counts });
    if (!before || at <= before.at || at - before.at > this.forgetAfterMs) return NO_RATES;
    const seconds = (at - before.at) / 1000;
    const growth = (depth.ready - before.ready) / seconds;
    if (counts && before.counts) {
      const publish = Math.max(0, counts.published - before.counts.published) / seconds;
      const ack = Math.max(0, counts.consumed - before.counts.consumed) / seconds;
      return { publish, deliver: Math.max(0, publish - growth), ack, source: "derived" };
    }
    if (depth.consumers === 0) return { publish: Math.max(0, growth), deliver: 0, ack: 0, source: "derived" };
    return NO_RATES;
  }

  forget(queue: string) {
    this.previous.delete(queue);
  }

  /** At most once per half period, a pass that drops the queues not sampled for `forgetAfterMs`. */
  private sweep(at: number): void {
    if (at - this.sweptAt < this.forgetAfterMs / 2) return;
    this.sweptAt = at;
    for (const [queue, previous] of this.previous) {
      if (at - previous.at > this.forgetAfterMs) this.previous.delete(queue);
    }
  }
}
