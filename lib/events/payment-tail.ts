import { EventEmitter } from "node:events";
import type { Payment } from "../payments/decide";
import { Coalesced } from "../process/coalesced";
import type { PaymentStore } from "../store/store";

const PAGE = 500;
/** Announced payments not yet visible to every reader are looked for again after this, doubling up to a second. */
const RETRY_FIRST_MS = 25;
const RETRY_MAX_MS = 1000;
/** An announced seq this process's database never shows (another deployment on the same broker) is dropped after this. */
const PENDING_FOR_MS = 60_000;
/** Seqs recently served, so an announcement arriving after its row was already served is not waited for. */
const SERVED_KEPT = 20_000;

/**
 * The payments a process's dashboards see, read from the store in the order a resuming
 * reader can trust (`payments.since()`: on PostgreSQL only rows of transactions older
 * than every running one, so a payment that commits late is never passed over). The
 * `payments.events` fanout (and this process's own consumer) only WAKE it: an
 * announced payment that is not yet visible to every reader is looked for again until
 * it is, and the store is read every `pollMs` anyway, so a lost announcement delays a
 * payment but never loses it. One tail per process serves every live stream.
 */
export class PaymentTail extends EventEmitter {
  private cursor: number | null = null;
  private readonly reader = new Coalesced(() => this.readOnce(), {
    active: () => !this.stopped,
    after: () => this.schedule(),
  });
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_FIRST_MS;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Announced seq → when it was announced; cleared when served. */
  private readonly pending = new Map<number, number>();
  private readonly served = new Set<number>();
  /** Store reads made (for tests and metrics). */
  reads = 0;
  servedTotal = 0;

  constructor(
    private readonly options: {
      payments: Pick<PaymentStore, "since" | "head">;
      /** Emits "payment" (a Payment) for each payment announced: the fanout feed. */
      wake: EventEmitter;
      pollMs?: number;
      log?: (message: string) => void;
    },
  ) {
    super();
    this.setMaxListeners(0);
  }

  private readonly onWake = (payment: Pick<Payment, "seq">) => {
    if (typeof payment?.seq === "number" && !this.served.has(payment.seq)) this.pending.set(payment.seq, Date.now());
    void this.read();
  };

  start(): this {
    this.options.wake.on("payment", this.onWake);
    void this.read();
    return this;
  }

  /** The seq of the last payment served (null before the store answered once). */
  get position(): number | null {
    return this.cursor;
  }

  /** Reads what became visible since the last read; calls during a read make one more read after it. */
  read(): Promise<void> {
    return this.reader.run();
  }

  private async readOnce(): Promise<void> {
    const { payments, log } = this.options;
    try {
      // Where the tail starts: what every reader sees now is already in each page's snapshot.
      this.cursor ??= await payments.head();
      for (;;) {
        this.reads++;
        const page = await payments.since(this.cursor, PAGE);
        for (const payment of page) {
          if (this.stopped) return;
          this.cursor = payment.seq;
          this.pending.delete(payment.seq);
          this.served.add(payment.seq);
          this.servedTotal++;
          this.emit("payment", payment);
        }
        if (page.length < PAGE) break;
      }
      if (this.served.size > SERVED_KEPT) {
        const drop = this.served.size - SERVED_KEPT / 2;
        let n = 0;
        for (const seq of this.served) {
          if (n++ >= drop) break;
          this.served.delete(seq);
        }
      }
    } catch (error) {
      log?.(`[payment-tail] could not read payments: ${(error as Error).message} (trying again)`);
      this.reader.skipRerun();
      this.retryMs = RETRY_MAX_MS;
    }
  }

  private schedule() {
    if (this.stopped) return;
    const now = Date.now();
    for (const [seq, at] of this.pending) if (now - at > PENDING_FOR_MS) this.pending.delete(seq);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.pending.size > 0 || this.cursor === null) {
      // Announced but not visible to every reader yet (an older transaction still runs): look again soon.
      this.retryTimer = setTimeout(() => void this.read(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    } else {
      this.retryMs = RETRY_FIRST_MS;
    }
    if (!this.pollTimer) {
      this.pollTimer = setTimeout(() => {
        this.pollTimer = null;
        void this.read();
      }, this.options.pollMs ?? 2000);
      this.pollTimer.unref();
    }
  }

  stop() {
    this.stopped = true;
    this.options.wake.off("payment", this.onWake);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
  }
}
