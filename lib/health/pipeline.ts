import { DEAD_LETTER_SUFFIX, deadLetterQueueOf } from "../amqp/topology";
import type { QueueSample } from "../events/sampler";
import type { HealthStore } from "../store/store";

/** The home page's health panel: is the pipeline keeping up, and what is stuck? */
export interface PipelineHealth {
  at: number;
  stuckAfterS: number;
  /** Orders placed through Warren (form or API); raw producers' orders are not counted here. */
  placed: number;
  paid: number;
  /** Ready + unacked on the order queue (unacked lags: it comes from the management API). */
  inFlight: number | null;
  /** Waiting in the DLQ now. */
  deadLettered: number | null;
  stuck: Array<{ orderId: string; item: string; confirmedAt: number; ageS: number }>;
  stuckCount: number;
  drain: { ready: number | null; ratePerS: number; seconds: number | null };
  warnings: Array<{ queue: string; message: string }>;
  /** Orders accepted and kept in the outbox, not yet confirmed by the broker (all of them wait while it is away). */
  outbox: { waiting: number; oldestAgeS: number | null };
}

export interface HealthInput {
  /** The store's health reads (any backend). */
  reads: HealthStore;
  sample: QueueSample | null;
  orderQueue: string;
  stuckAfterS: number;
  /** Deliveries per second over the last few seconds, from any consumer sharing the DB. */
  ratePerS: number;
  now?: number;
}

const STUCK_LIMIT = 20;

export interface StuckOrder {
  orderId: string;
  item: string;
  confirmedAt: number;
}

/** Confirmed by the broker before `cutoff`, neither paid nor dead-lettered: one full pass. */
export async function findStuck(
  reads: HealthStore,
  cutoff: number,
  limit: number,
): Promise<{ stuck: StuckOrder[]; count: number }> {
  const stuck = await reads.unresolvedBefore(cutoff, limit);
  const count = stuck.length < limit ? stuck.length : await reads.countUnresolvedBefore(cutoff);
  return { stuck, count };
}

/**
 * The same answer as findStuck, kept incrementally for the once-a-second loop: a full pass
 * grows with every order ever placed, while each tick here only looks at the orders that
 * crossed the threshold since the last tick plus the few still unresolved.
 */
export class StuckTracker {
  private readonly candidates = new Map<string, StuckOrder>();
  private scannedUpTo: number | null = null;

  constructor(private readonly maxTracked = 10_000) {}

  async update(reads: HealthStore, cutoff: number): Promise<{ stuck: StuckOrder[]; count: number }> {
    if (this.scannedUpTo === null || cutoff < this.scannedUpTo) {
      this.candidates.clear();
      for (const s of (await findStuck(reads, cutoff, this.maxTracked)).stuck) this.candidates.set(s.orderId, s);
    } else if (cutoff > this.scannedUpTo) {
      for (const order of await reads.unresolvedBetween(this.scannedUpTo, cutoff)) {
        if (this.candidates.size >= this.maxTracked) break;
        this.candidates.set(order.orderId, order);
      }
    }
    this.scannedUpTo = cutoff;
    if (this.candidates.size > 0) {
      const still = await reads.stillUnresolved([...this.candidates.keys()]);
      for (const id of [...this.candidates.keys()]) {
        if (!still.has(id)) this.candidates.delete(id);
      }
    }
    const stuck = [...this.candidates.values()].sort((a, b) => a.confirmedAt - b.confirmedAt);
    return { stuck: stuck.slice(0, STUCK_LIMIT), count: stuck.length };
  }
}

export async function computeHealth({
  reads,
  sample,
  orderQueue,
  stuckAfterS,
  ratePerS,
  now = Date.now(),
  tracker,
}: HealthInput & { tracker?: StuckTracker }): Promise<PipelineHealth> {
  const counts = await reads.placedAndPaid();
  const cutoff = now - stuckAfterS * 1000;
  const found = tracker ? await tracker.update(reads, cutoff) : await findStuck(reads, cutoff, STUCK_LIMIT);
  const work = sample?.queues.find((q) => q.name === orderQueue);
  const dlq = sample?.queues.find((q) => q.name === deadLetterQueueOf(orderQueue));
  const ready = work?.exists ? work.ready : null;
  const warnings: PipelineHealth["warnings"] = [];
  for (const queue of sample?.queues ?? []) {
    // A DLQ is meant to sit without consumers; any other queue with work and no one to do it is a problem.
    if (queue.name.endsWith(DEAD_LETTER_SUFFIX) || !queue.exists) continue;
    if ((queue.ready ?? 0) > 0 && queue.consumers === 0) {
      warnings.push({
        queue: queue.name,
        message: `${queue.ready} message${queue.ready === 1 ? "" : "s"} ready but no consumers: nothing is draining ${queue.name}.`,
      });
    }
  }
  if (sample?.broker === "down") warnings.push({ queue: orderQueue, message: "The broker is unreachable." });
  const backlog = await reads.outboxBacklog(now);
  const drainSeconds = ready === null ? null : ready === 0 ? 0 : ratePerS > 0 ? ready / ratePerS : null;
  return {
    at: now,
    stuckAfterS,
    placed: counts.placed,
    paid: counts.paid,
    inFlight: ready === null ? null : ready + (work?.unacked ?? 0),
    deadLettered: dlq?.exists ? dlq.ready : null,
    stuck: found.stuck.map((s) => ({ ...s, ageS: Math.floor((now - s.confirmedAt) / 1000) })),
    stuckCount: found.count,
    drain: { ready, ratePerS: Math.round(ratePerS * 10) / 10, seconds: drainSeconds },
    warnings,
    outbox: {
      waiting: backlog.waiting,
      oldestAgeS: backlog.oldestAt === null ? null : Math.max(0, Math.floor((now - backlog.oldestAt) / 1000)),
    },
  } satisfies PipelineHealth;
}

/** Consume rate from the deliveries table's id (O(1)), over a sliding window of marks. */
export class DeliveryRate {
  private readonly marks: Array<{ at: number; id: number }> = [];

  constructor(
    private readonly reads: HealthStore,
    private readonly windowMs = 10_000,
  ) {}

  async sample(now = Date.now()): Promise<number> {
    const id = await this.reads.lastDeliveryId();
    this.marks.push({ at: now, id });
    while (this.marks.length > 2 && (this.marks[0]?.at ?? now) < now - this.windowMs) this.marks.shift();
    const first = this.marks[0];
    if (!first || now - first.at < 500) return 0;
    return (id - first.id) / ((now - first.at) / 1000);
  }
}
