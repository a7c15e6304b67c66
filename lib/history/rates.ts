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

  derive(queue: string, at: number, depth: { ready: number; consumers: number }, counts: OwnCounts | null): Rates {
    const before = this.previous.get(queue);
    this.previous.set(queue, { at, ready: depth.ready, counts });
    if (!before || at <= before.at) return NO_RATES;
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
}
