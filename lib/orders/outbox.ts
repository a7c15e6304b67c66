import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { ORDERS_EXCHANGE } from "../amqp/topology";
import { WarrenError } from "../errors";
import { probe } from "../observability/probes";
import type { PublishOutcome, RetryAt, WarrenStore } from "../store/store";
import { activeTraceparent, startPublishSpan } from "../tracing/spans";
import { Leases } from "./leases";
import { orderPublishOptions } from "./message";
import { newOrderId } from "./order-id";
import type { OrderInput } from "./schema";
import type { OrderSource, PlacedOrder } from "./types";

export interface OutboxOptions {
  /** Where orders and outbox rows are kept (lib/store), and how to know a commit is on disk. */
  store: Pick<WarrenStore, "orders" | "durable">;
  publisher: ConfirmPublisher;
  link: BrokerLink;
  queue: string;
  log?: (message: string) => void;
  /** A claimed row belongs to this process for this long; after that any relay may take it. */
  leaseMs?: number;
  sweepMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long one publish attempt waits for a channel while the broker is away. */
  channelWaitMs?: number;
  now?: () => number;
}

export interface Accepted {
  order: PlacedOrder;
  /** "placed": the broker confirmed within the wait; "accepted": durable in the outbox, still waiting for the broker. */
  status: "placed" | "accepted";
}

interface Row {
  orderId: string;
  body: string;
  /** The placing request's trace context (lib/tracing), stored with the row; null when tracing was off. */
  traceparent: string | null;
}

interface PendingWrite {
  order: PlacedOrder;
  source: OrderSource;
  traceparent: string | null;
  /** Called once the row is committed, with the promise of it being on disk (wrapped: a promise would be adopted). */
  resolve: (written: { durable: Promise<void> }) => void;
  reject: (error: Error) => void;
}

export interface OutboxStats {
  accepted: number;
  published: number;
  failedAttempts: number;
  recovered: number;
}

const MARK_DELAY_MS = 25;
const CLAIM_LIMIT = 500;

/**
 * The transactional outbox and its relay (one per web process, built by lib/process).
 *
 * `accept()` makes an order durable in the store first — concurrent requests
 * share one transaction (one WAL sync) per event-loop turn — and only then
 * publishes it. The relay retries every unconfirmed row with backoff until
 * the broker confirms, and deletes the row after the confirm. A row is leased
 * to one process while it is being published (lib/orders/leases.ts), so two
 * relays never publish it at the same moment; a crash can still re-publish a
 * row whose confirm was not yet recorded, which the consumer's UNIQUE order id
 * absorbs (at-least-once publish + idempotent consumer = exactly-once effect).
 * The SQL lives in lib/store (OrderStore).
 */
export class OrderOutbox {
  readonly stats: OutboxStats = { accepted: 0, published: 0, failedAttempts: 0, recovered: 0 };
  private readonly leases: Leases;
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /**
   * Rows confirmed by the broker whose outcome is not committed yet (it waits up to MARK_DELAY_MS
   * to ride along with the next commit). Still in the outbox and leased to this relay, so a sweep
   * in that window would claim and publish them a second time: claims exclude them.
   */
  private readonly confirmedUnrecorded = new Set<string>();
  /**
   * Order ids the broker confirmed in the last 10–20 s (two generations of a set). A sweep's
   * claim computes its exclusions before its query runs: an order accepted meanwhile, published
   * and confirmed before the claim returns, came back claimed and was published a second time
   * (an extra delivery, an `outbox_republish` in the cost chart). publish() skips them.
   */
  private confirmed = { current: new Set<string>(), previous: new Set<string>(), since: 0 };
  /** Store writes under way (order batches and outcome batches), awaited by stop(). */
  private readonly writing = new Set<Promise<void>>();
  private writes: PendingWrite[] = [];
  private marks: PublishOutcome[] = [];
  private writeScheduled = false;
  private markScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepAgain = false;
  private stopping = false;
  private started = false;
  private readonly retryAt: RetryAt = (attempts, at) => at + this.backoffMs(attempts);
  private readonly onUp = () => {
    // The publisher opens its confirm channel on the same "up": sweep as soon as it is ready.
    void this.options.publisher.whenReady(5000).then((ready) => {
      if (ready && !this.stopping) this.sweep(true);
    });
  };

  constructor(private readonly options: OutboxOptions) {
    this.leases = new Leases(options.store.orders, options.leaseMs ?? 30_000, 5 * (options.sweepMs ?? 1000));
  }

  get owner(): string {
    return this.leases.owner;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private track(write: Promise<void>): Promise<void> {
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
    return write;
  }

  /** Picks up rows left by an earlier run, then sweeps due rows every `sweepMs` and whenever the broker comes back. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    const { log } = this.options;
    // Rows of a dead process of this host are freed before the first sweep, so it takes them at once.
    void this.leases
      .start(this.now())
      .then(async () => {
        const left = await this.pending();
        if (left > 0) log?.(`[outbox] ${left} order(s) not yet confirmed by the broker: publishing them`);
      })
      .catch((error: Error) => log?.(`[outbox] could not check leases: ${error.message}`))
      .finally(() => this.sweep(true));
    this.options.link.on("up", this.onUp);
    let ticks = 0;
    this.timer = setInterval(() => {
      // On a store shared by several machines, this relay's heartbeat: if it stops, its rows come back within seconds.
      this.leases
        .beat()
        .catch((error: Error) => log?.(`[outbox] could not renew this relay's heartbeat: ${error.message}`));
      // Another process of this host that died (kill -9) frees its rows now, not when its leases run out.
      if (++ticks % 5 === 0) {
        this.leases
          .releaseDead(this.now())
          .catch((error: Error) => log?.(`[outbox] could not check leases: ${error.message}`));
      }
      this.sweep(false);
    }, this.options.sweepMs ?? 1000);
    this.timer.unref();
    return this;
  }

  /** Rows in the outbox (accepted, not yet confirmed by the broker). */
  pending(): Promise<number> {
    return this.options.store.orders.pending();
  }

  /**
   * Accepts an order once it is durable in the outbox or confirmed by the
   * broker, whichever comes first; waits up to `waitMs` for the confirm so a
   * healthy system answers "placed".
   */
  async accept(input: OrderInput, source: OrderSource, waitMs = 1000): Promise<Accepted> {
    if (this.stopping) {
      throw new WarrenError("broker_unavailable", "Warren is shutting down; the order was not accepted. Try again.");
    }
    const order: PlacedOrder = {
      orderId: newOrderId(),
      item: input.item,
      quantity: input.quantity,
      placedAt: this.now(),
    };
    const { durable } = await new Promise<{ durable: Promise<void> }>((resolve, reject) => {
      // Read here, in the caller's context: the turn's batch is written from a setImmediate.
      this.writes.push({ order, source, traceparent: activeTraceparent(), resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        setImmediate(() => void this.flushWrites());
      }
    });
    // The publish is already on its way while the WAL is synced. Either one is enough to
    // answer: a confirmed order is safe in the broker, an unconfirmed one must be on our disk.
    const onDisk = durable.then(
      () => true,
      () => false,
    );
    const confirm = this.inFlight.get(order.orderId);
    let published = false;
    if (confirm && waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      published = await Promise.race([
        confirm,
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), waitMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (!published && !(await onDisk)) {
      // Not on our disk: only the broker's confirm can make it an order now.
      published = confirm ? await confirm : false;
      if (!published) {
        throw new WarrenError("publish_failed", "The order could not be stored; it was not accepted. Try again.");
      }
    }
    this.stats.accepted++;
    return { order, status: published ? "placed" : "accepted" };
  }

  /**
   * One transaction (and one WAL sync) for every order accepted in this turn of the event
   * loop; the publish outcomes waiting to be recorded ride along in the same commit.
   */
  private flushWrites(): Promise<void> {
    this.writeScheduled = false;
    const batch = this.writes;
    this.writes = [];
    if (batch.length === 0) return Promise.resolve();
    const at = this.now();
    const rows: Row[] = batch.map(({ order, traceparent }) => ({
      orderId: order.orderId,
      body: JSON.stringify(order),
      traceparent,
    }));
    const outcomes = this.marks;
    this.marks = [];
    const { store, log } = this.options;
    const orders = batch.map(({ order, source, traceparent }, index) => ({
      order,
      source,
      body: rows[index]?.body ?? "",
      traceparent,
    }));
    const write = store.orders.accept({ orders, lease: this.leases.leaseAt(at), outcomes, at }, this.retryAt).then(
      () => {
        this.recorded(outcomes);
        // Leased to us at insert: publish at once, before any sweep could see the rows, and while
        // the WAL is synced on the thread pool.
        const durable = store.durable();
        durable.catch((error: Error) => log?.(`[outbox] could not sync ${batch.length} order(s): ${error.message}`));
        batch.forEach(({ order, resolve }, index) => {
          void this.publish(rows[index] as Row, order);
          resolve({ durable });
        });
      },
      (error: Error) => {
        // The outcomes are recorded on their own (flushMarks) even if the orders could not be.
        this.marks.unshift(...outcomes);
        if (outcomes.length > 0) this.scheduleMarks();
        log?.(`[outbox] could not store ${batch.length} order(s): ${error.message}`);
        const failure = new WarrenError(
          "publish_failed",
          "The order could not be stored; it was not accepted. Try again.",
        );
        for (const pending of batch) pending.reject(failure);
      },
    );
    return this.track(write);
  }

  /** `order` is the row's body, parsed (the caller may still hold it). */
  private publish(row: Row, order?: PlacedOrder): Promise<boolean> {
    const existing = this.inFlight.get(row.orderId);
    if (existing) return existing;
    if (this.confirmed.current.has(row.orderId) || this.confirmed.previous.has(row.orderId))
      return Promise.resolve(true);
    return this.send(row, order ?? (JSON.parse(row.body) as PlacedOrder));
  }

  private send(row: Row, order: PlacedOrder): Promise<boolean> {
    const { queue } = this.options;
    // Each attempt is a span in the trace of the request that placed the order (the row's traceparent).
    const span = startPublishSpan(row.traceparent, {
      exchange: ORDERS_EXCHANGE,
      routingKey: queue,
      messageId: row.orderId,
    });
    const options = orderPublishOptions(order);
    const attempt = this.options.publisher
      .publish(ORDERS_EXCHANGE, queue, Buffer.from(row.body), span ? { ...options, headers: span.headers } : options, {
        timeoutMs: this.options.channelWaitMs ?? 1000,
        confirmTimeoutMs: 10_000,
      })
      .then(
        () => {
          span?.end();
          this.stats.published++;
          const at = this.now();
          probe.orderConfirmed(order.placedAt, at);
          this.mark({ kind: "confirmed", orderId: row.orderId, at });
          return true;
        },
        (error: Error) => {
          span?.end(error);
          this.stats.failedAttempts++;
          this.mark({ kind: "failed", orderId: row.orderId, error: error.message, at: this.now() });
          return false;
        },
      )
      .finally(() => this.inFlight.delete(row.orderId));
    this.inFlight.set(row.orderId, attempt);
    return attempt;
  }

  private mark(outcome: PublishOutcome) {
    if (outcome.kind === "confirmed") {
      this.confirmedUnrecorded.add(outcome.orderId);
      this.rememberConfirmed(outcome.orderId, outcome.at);
    }
    this.marks.push(outcome);
    this.scheduleMarks();
  }

  /**
   * Outcomes wait up to MARK_DELAY_MS: under load the next order batch's transaction takes
   * them along (no commit of their own); when no orders come, they are recorded alone. A
   * lost outcome is only a re-publish that the consumer absorbs, so the delay risks nothing.
   */
  private scheduleMarks() {
    if (!this.markScheduled) {
      this.markScheduled = true;
      setTimeout(() => void this.flushMarks(), MARK_DELAY_MS).unref();
    }
  }

  private backoffMs(attempts: number): number {
    const base = this.options.baseBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 5000;
    const delay = Math.min(max, base * 2 ** Math.min(attempts, 16));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  private rememberConfirmed(orderId: string, at: number) {
    if (at - this.confirmed.since >= 10_000) {
      this.confirmed = { current: new Set(), previous: this.confirmed.current, since: at };
    }
    this.confirmed.current.add(orderId);
  }

  /** Confirms and failures of this turn, in one transaction. */
  private flushMarks(): Promise<void> {
    this.markScheduled = false;
    const batch = this.marks;
    this.marks = [];
    if (batch.length === 0) return Promise.resolve();
    return this.track(
      this.options.store.orders
        .recordOutcomes(batch, this.retryAt)
        .catch((error: Error) => {
          // A confirmed row that stays in the outbox is published again later: a duplicate the consumer absorbs.
          this.options.log?.(`[outbox] could not record ${batch.length} publish outcome(s): ${error.message}`);
        })
        .finally(() => this.recorded(batch)),
    );
  }

  /** These outcomes are committed (or given up): their rows may be claimed again if still there. */
  private recorded(outcomes: PublishOutcome[]) {
    for (const outcome of outcomes) this.confirmedUnrecorded.delete(outcome.orderId);
  }

  /** Claims due rows (lease) in one transaction and publishes them; repeats while a full batch came back. */
  sweep(force: boolean): void {
    if (this.stopping) return;
    if (this.sweeping) {
      this.sweepAgain ||= force;
      return;
    }
    const run = async () => {
      for (;;) {
        if (this.stopping || !this.options.publisher.ready) return;
        const claimed = await this.claim(force, CLAIM_LIMIT);
        if (claimed.length === 0 && !this.sweepAgain) return;
        this.sweepAgain = false;
        await Promise.all(claimed.map((row) => this.publish(row)));
        if (claimed.length < CLAIM_LIMIT) return;
      }
    };
    // Cleared in a (always asynchronous) finally: a sweep that returns at once must not stay "running".
    this.sweeping = run()
      .catch((error: Error) => this.options.log?.(`[outbox] sweep failed: ${error.message}`))
      .finally(() => {
        this.sweeping = null;
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.sweep(true);
        }
      });
  }

  private async claim(force: boolean, limit: number): Promise<Row[]> {
    const at = this.now();
    const rows = await this.options.store.orders.claimDue({
      dueBy: force ? Number.MAX_SAFE_INTEGER : at,
      at,
      limit,
      lease: this.leases.leaseAt(at),
      exclude: new Set([...this.inFlight.keys(), ...this.confirmedUnrecorded]),
    });
    for (const row of rows) if (row.previousOwner !== this.owner) this.stats.recovered++;
    return rows;
  }

  /** Stops taking orders, lets in-flight publishes settle, and records their outcome. Unconfirmed rows stay for the next start. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.options.link.off("up", this.onUp);
    void this.flushWrites();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      (async () => {
        // Written first: a batch's publishes start once its commit is done.
        await Promise.allSettled([...this.writing]);
        await Promise.allSettled([...this.inFlight.values(), this.sweeping]);
      })(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await this.flushMarks();
    await Promise.allSettled([...this.writing]);
    await this.leases.stop();
  }
}
