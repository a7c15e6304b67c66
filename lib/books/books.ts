import type { BookState, BooksCursor, HealthStore, OutboxDetail } from "../store/store";

/** An order in none of the states the books know, with where to look. */
export interface LostOrder {
  orderId: string;
  confirmedAt: number | null;
  trace: string;
}

/** What one tick of the books found. */
export interface BooksReport {
  at: number;
  /** Orders accepted so far (seen by this checker). */
  accepted: number;
  /** Accepted, not yet confirmed by the broker. */
  outbox: number;
  /** Messages in the order queue (ready + unacked); null while the broker cannot be asked. Messages, not ids: a redelivered or re-published order counts twice. */
  queue: number | null;
  /** Confirmed within the settling window and not yet paid: on their way, not counted against the books. */
  inFlight: number;
  /** Confirmed before the settling window and neither paid nor dead-lettered: must be in the queue. */
  waiting: number;
  paid: number;
  deadLettered: number;
  /** Orders with more than one payment row (the ledger's UNIQUE order id should make this impossible). */
  paidTwice: string[];
  /** Settled orders the queue cannot hold: waiting minus queue messages (0 when it balances); null when the queue is unknown. */
  difference: number | null;
  balanced: boolean | null;
  /** The longest-waiting settled orders, as many as the difference: the ones to look at first. */
  lost: LostOrder[];
  /** Orders placed but not read yet (a first pass over a large table spans several ticks). */
  catchingUp: boolean;
  /** What waits for the broker: backoff and lease holders (null when not read). */
  backlog: OutboxDetail | null;
}

export interface BooksOptions {
  /** Orders confirmed this recently are "in flight", not missing. */
  settleMs: number;
  /** New orders read per tick at most (a first pass over a big table spreads over ticks). */
  maxNewPerTick?: number;
  /** How many lost orders the report lists. */
  lostLimit?: number;
}

const PAGE = 2000;
const STATE_CHUNK = 1000;

/** Where a lost order's trace is (app/trace/page.tsx reads ?order=). */
export const traceLink = (orderId: string) => `/trace?order=${encodeURIComponent(orderId)}`;

/**
 * The books, kept incrementally: a keyset cursor over placed orders and the
 * set of orders not yet settled (in the outbox, or confirmed and unpaid).
 * A tick reads only the orders placed since the last one plus that open set,
 * so its cost follows the traffic and the backlog, not the table size. Paid
 * and dead-lettered orders are counted once and leave the open set; recount()
 * starts over (a ledger row deleted behind our back is only seen then).
 */
export class Books {
  private cursor: BooksCursor | null = null;
  private accepted = 0;
  private paid = 0;
  private deadLettered = 0;
  private readonly paidTwice = new Set<string>();
  private readonly open = new Map<string, BookState>();

  constructor(
    private readonly reads: Pick<HealthStore, "ordersAfter" | "bookStates">,
    private readonly options: BooksOptions,
  ) {}

  /** Forgets everything: the next tick reads every order again. */
  recount(): void {
    this.cursor = null;
    this.accepted = 0;
    this.paid = 0;
    this.deadLettered = 0;
    this.paidTwice.clear();
    this.open.clear();
  }

  /** What the books count as paid: a recount is due when the ledger holds fewer. */
  get paidCount(): number {
    return this.paid;
  }

  async tick(now: number, queueMessages: number | null): Promise<BooksReport> {
    const fresh: string[] = [];
    const max = this.options.maxNewPerTick ?? 20_000;
    let catchingUp = false;
    while (fresh.length < max) {
      const page = await this.reads.ordersAfter(this.cursor, Math.min(PAGE, max - fresh.length));
      for (const row of page) fresh.push(row.orderId);
      const last = page.at(-1);
      if (last) this.cursor = last;
      if (page.length < PAGE) break;
      if (fresh.length >= max) catchingUp = true;
    }
    this.accepted += fresh.length;
    const ids = [...this.open.keys(), ...fresh];
    for (let i = 0; i < ids.length; i += STATE_CHUNK) {
      for (const state of await this.reads.bookStates(ids.slice(i, i + STATE_CHUNK))) this.settle(state);
      // SQLite answers synchronously: let requests in between chunks of a long first pass.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.report(now, queueMessages, catchingUp);
  }

  private settle(state: BookState): void {
    if (state.payments > 0) {
      if (state.payments > 1) this.paidTwice.add(state.orderId);
      this.paid++;
      this.open.delete(state.orderId);
    } else if (state.deadLettered) {
      this.deadLettered++;
      this.open.delete(state.orderId);
    } else {
      this.open.set(state.orderId, state);
    }
  }

  private report(now: number, queue: number | null, catchingUp: boolean): BooksReport {
    const cutoff = now - this.options.settleMs;
    let outbox = 0;
    let inFlight = 0;
    const settled: BookState[] = [];
    for (const state of this.open.values()) {
      if (state.inOutbox || state.confirmedAt === null) outbox++;
      else if (state.confirmedAt > cutoff) inFlight++;
      else settled.push(state);
    }
    // Queue counts are messages, not ids: the queue may hold in-flight orders too, so only
    // settled orders beyond everything the queue could hold are unaccounted for.
    const difference = queue === null ? null : Math.max(0, settled.length - queue);
    settled.sort((a, b) => (a.confirmedAt ?? 0) - (b.confirmedAt ?? 0));
    const lost = settled.slice(0, Math.min(difference ?? 0, this.options.lostLimit ?? 50)).map((s) => ({
      orderId: s.orderId,
      confirmedAt: s.confirmedAt,
      trace: traceLink(s.orderId),
    }));
    return {
      at: now,
      accepted: this.accepted,
      outbox,
      queue,
      inFlight,
      waiting: settled.length,
      paid: this.paid,
      deadLettered: this.deadLettered,
      paidTwice: [...this.paidTwice],
      difference,
      balanced: difference === null ? null : difference === 0 && this.paidTwice.size === 0,
      lost,
      catchingUp,
      backlog: null,
    };
  }
}
