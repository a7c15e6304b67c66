import type { TimingStore } from "../store/store";
import { HOPS, type HopName, hopDurations } from "./latency";

export interface HopObserverOptions {
  reads: Pick<TimingStore, "hopsOf">;
  /** Called once per hop of each order this process paid (the Prometheus histogram). */
  observe: (hop: HopName, ms: number) => void;
  intervalMs?: number;
  /** How long an order waits for its confirm (recorded by the web process) and ack times; then what is known is observed. */
  settleMs?: number;
  /** Orders waiting at most (more are dropped and counted): memory stays bounded under any load. */
  maxPending?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

const BATCH = 500;

/**
 * The Prometheus side of "where the time goes": each process observes the orders ITS
 * consumer paid, once each, so the histograms of several workers add up (sum by hop) to
 * every order exactly once. The hops are read from the database rows, because the times
 * of one order are kept by two processes (intake and confirm by the web, delivery, payment
 * and ack by the consumer) and the confirm is recorded up to a moment after the broker
 * may already deliver: an order is observed once its ack time is written and its confirm
 * is known, or after `settleMs` with what is known (an external producer's order has no confirm).
 */
export class HopObserver {
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  dropped = 0;
  observed = 0;

  constructor(private readonly options: HopObserverOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** An order this process's consumer just paid. */
  note(orderId: string): void {
    if (this.pending.size >= (this.options.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    if (!this.pending.has(orderId)) this.pending.set(orderId, this.now());
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
    const ids = [...this.pending.keys()];
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const rows = await this.options.reads.hopsOf(chunk);
      const now = this.now();
      const found = new Set<string>();
      for (const row of rows) {
        found.add(row.orderId);
        const since = this.pending.get(row.orderId) ?? now;
        const settled = now - since >= settleMs;
        // An external producer's order has no confirm to wait for: its hops are known once it is acked.
        if (!settled && (row.ackedAt === null || (row.confirmedAt === null && !row.external))) continue;
        const durations = hopDurations(row);
        for (const hop of HOPS) {
          const ms = durations[hop];
          if (ms !== null) this.options.observe(hop, ms);
        }
        this.observed++;
        this.pending.delete(row.orderId);
      }
      // A payment that cannot be read (rolled back, deleted) is not waited for forever.
      for (const id of chunk)
        if (!found.has(id) && now - (this.pending.get(id) ?? now) >= settleMs) this.pending.delete(id);
    }
  }
}
