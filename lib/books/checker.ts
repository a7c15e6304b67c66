import { EventEmitter } from "node:events";
import type { QueueSample, QueueSampler } from "../events/sampler";
import type { HealthStore } from "../store/store";
import { Books, type BooksReport } from "./books";

const BACKLOG_ROWS = 10;

export interface BooksCheckerOptions {
  reads: HealthStore;
  /** The live queue depths (one sampler per process); its latest sample gives the queue's messages. */
  sampler: Pick<QueueSampler, "latest">;
  orderQueue: string;
  intervalMs: number;
  settleMs: number;
  /**
   * How often the counters are checked against the ledger's totals (two COUNTs). The
   * incremental pass never re-reads a settled order, so a payment row removed behind
   * its back only shows once this finds fewer payments than it counted, and starts over.
   */
  verifyEveryMs: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** ready + unacked of the order queue; null while the broker (or the queue) cannot be read. */
export function queueMessages(sample: QueueSample | null, queue: string): number | null {
  const depth = sample?.queues.find((q) => q.name === queue);
  if (!depth || depth.unreachable || !depth.exists || depth.ready === null) return null;
  return depth.ready + (depth.unacked ?? 0);
}

/**
 * ONE books checker per web process (a part of createWarren), whatever the
 * number of dashboards: a tick every `intervalMs`, never two at once; each
 * report is emitted as "books" for the live stream and kept for GET /api/books.
 */
export class BooksChecker extends EventEmitter {
  latest: BooksReport | null = null;
  ticks = 0;
  private readonly books: Books;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<BooksReport> | null = null;
  private verifiedAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: BooksCheckerOptions) {
    super();
    this.setMaxListeners(0);
    this.books = new Books(options.reads, { settleMs: options.settleMs });
    this.now = options.now ?? Date.now;
  }

  start(): this {
    if (!this.timer) {
      this.timer = setInterval(
        () => void this.check().catch((e) => this.options.onError?.(e)),
        this.options.intervalMs,
      );
      this.timer.unref();
      void this.check().catch((e) => this.options.onError?.(e));
    }
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One tick now (or the one already running). */
  check(): Promise<BooksReport> {
    this.running ??= this.tick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async tick(): Promise<BooksReport> {
    const now = this.now();
    if (now - this.verifiedAt >= this.options.verifyEveryMs) {
      this.verifiedAt = now;
      const { paid } = await this.options.reads.placedAndPaid();
      if (paid < this.books.paidCount) this.books.recount();
    }
    const queue = queueMessages(this.options.sampler.latest(), this.options.orderQueue);
    const report = await this.books.tick(now, queue);
    // The outbox holds only unconfirmed orders: read whole each tick, it is what the operator watches while the broker is away.
    report.backlog = await this.options.reads.outboxDetail(now, BACKLOG_ROWS);
    this.ticks++;
    this.latest = report;
    this.emit("books", report);
    return report;
  }
}
