import type { OrderTimes, TimingStore } from "../store/store";
import { HOPS, type HopName, hopDurations } from "./latency";

export interface HopObserverOptions {
  /** The order rows' intake and confirm times (written by the web process that took the order). */
  reads: Pick<TimingStore, "orderTimesOf">;
  /** Called once per hop of each order this process paid (the Prometheus histogram). */
  observe: (hop: HopName, ms: number) => void;
  intervalMs?: number;
  /** How long an order waits for its confirm (recorded by the web process) and its ack; then what is known is observed. */
  settleMs?: number;
  /** Orders waiting at most (more are dropped and counted): memory stays bounded under any load. */
  maxPending?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** What this process's consumer knows of an order it paid. */
interface Pending {
  notedAt: number;
  placedAt: number | null;
  paidAt: number;
  deliveredAt: number | null;
  ackedAt: number | null;
}

const BATCH = 500;

/**
 * The Prometheus side of "where the time goes": each process observes the orders ITS
 * consumer paid, once each, so the histograms of several workers add up (sum by hop) to
 * every order exactly once. The delivery, payment and ack times are this process's own
 * (the consumer hands them over); only the intake and confirm times are read, from the
 * order's row, because the web process that took the order keeps them, and the confirm is
 * recorded up to a moment after the broker may already deliver. An order is observed once
 * it is acked and its confirm is known, or after `settleMs` with what is known; an order
 * with no row (another producer published it) has no confirm to wait for.
 *
 * Reading the joined payment, delivery and ack rows of every order instead cost a worker
 * ~15 µs per order in the backlog drain, a fifth of its CPU.
 */
export class HopObserver {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  dropped = 0;
  observed = 0;

  constructor(private readonly options: HopObserverOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** An order this process's consumer just paid. */
  note(orderId: string, times: { placedAt: number | null; paidAt: number; deliveredAt?: number | null }): void {
    if (this.pending.has(orderId)) return;
    if (this.pending.size >= (this.options.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.pending.set(orderId, {
      notedAt: this.now(),
      placedAt: times.placedAt,
      paidAt: times.paidAt,
      deliveredAt: times.deliveredAt ?? null,
      ackedAt: null,
    });
  }

  /** The consumer acked the delivery that paid it (other orders' acks are ignored). */
  acked(orderId: string, times: { deliveredAt: number; ackedAt: number }): void {
    const entry = this.pending.get(orderId);
    if (entry && entry.ackedAt === null) {
      entry.ackedAt = times.ackedAt;
      entry.deliveredAt ??= times.deliveredAt;
    }
  }

  start(): this {
    this.timer ??= setInterval(
      () => void this.tick().catch((e) => this.options.onError?.(e)),
      this.options.intervalMs ?? 1000,
    );
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over the waiting orders (or the pass already running). */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const settleMs = this.options.settleMs ?? 10_000;
    const start = this.now();
    // Only orders that are acked (or waited long enough) are read: the rest wait without a read.
    const ready = [...this.pending].filter(([, p]) => p.ackedAt !== null || start - p.notedAt >= settleMs);
    for (let i = 0; i < ready.length; i += BATCH) {
      const chunk = ready.slice(i, i + BATCH);
      const rows = new Map<string, OrderTimes>();
      for (const row of await this.options.reads.orderTimesOf(chunk.map(([id]) => id))) rows.set(row.orderId, row);
      const now = this.now();
      for (const [orderId, p] of chunk) {
        const row = rows.get(orderId);
        const settled = now - p.notedAt >= settleMs;
        // Warren's own order: its confirm is written by the web process a moment after the broker took it.
        if (!settled && row && row.confirmedAt === null) continue;
        const durations = hopDurations({
          orderId,
          placedAt: row?.placedAt ?? p.placedAt,
          external: !row,
          confirmedAt: row?.confirmedAt ?? null,
          deliveredAt: p.deliveredAt,
          paidAt: p.paidAt,
          ackedAt: p.ackedAt,
        });
        for (const hop of HOPS) {
          const ms = durations[hop];
          if (ms !== null) this.options.observe(hop, ms);
        }
        this.observed++;
        this.pending.delete(orderId);
      }
    }
  }
}
