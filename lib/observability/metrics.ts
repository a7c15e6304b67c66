import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { EventEmitter } from "node:events";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { LabelHistogram } from "./label-histogram";
import { type CommitProbe, type DurationProbe, PROBES } from "./probes";

/**
 * What a scrape reads from the process's parts. Getters, called at scrape
 * time: parts come and go (the outbox only in web processes, the consumer
 * only where it runs), and counters the parts already keep are read where
 * they are rather than counted twice.
 */
interface Backlog {
  pending: number;
  /** In the clock of the scrape's `at` (the store moves it there from the database's). */
  oldestCreatedAt: number | null;
}

export interface MetricSources {
  outbox?: () => {
    stats: { accepted: number; published: number; failedAttempts: number; recovered: number };
    backlog(at: number): Backlog | Promise<Backlog>;
  } | null;
  consumer?: () => {
    stats: { paid: number; duplicates: number; delivered: number; acked: number; inFlight: number; running: boolean };
    status?(): { storeUnavailable?: unknown };
  } | null;
  /** This process's consumer seat (lib/payments/seats.ts). */
  seats?: () => { status(): { paying: boolean } } | null;
  publisher?: () => { counts: { confirmed: number } } | null;
  links?: () => Array<{ name: string; state: string }>;
  sampler?: () => { samplesTaken: number } | null;
  /** The durable history recorder (lib/history): rows written here, and whether this process leads. */
  history?: () => { stats: { written: number; leading: boolean } } | null;
  management?: () => { calls: number } | null;
  paymentFeed?: () => { relayed: number } | null;
  sseClients?: () => number;
  /** The latest books report (lib/books): how many settled orders are unaccounted for. */
  books?: () => { latest: { difference: number | null; paidTwice: string[] } | null } | null;
  /** The alerts firing now, as this process last read them (lib/alerts/board.ts). */
  alerts?: () => { latest(): { at: number; firing: Array<{ rule: string }> } } | null;
}

/** Why a message was dead-lettered, as a bounded label (the full reason is in its header and the ledger). */
export function deadLetterReason(reason: string): string {
  if (reason.startsWith("conflict")) return "conflict";
  if (reason.startsWith("not JSON")) return "not_json";
  if (reason.startsWith("schema")) return "schema";
  if (reason.startsWith("message too large")) return "too_large";
  if (reason.startsWith("handler failed")) return "handler_failed";
  return "other";
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Hops of an order: LATENCY_BUCKETS and up to 30 s (a broker outage or a consumer backlog). */
const HOP_BUCKETS = [...LATENCY_BUCKETS, 30];
const DISK_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export type WarrenMetrics = ReturnType<typeof createMetrics>;

/**
 * One registry per process, made and closed by whoever owns the process
 * (nothing registers itself on import). `attach()` tells it where the parts
 * are; `attachConsumer()` listens to a consumer's dead-letter events.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  let sources: MetricSources = {};
  const read = <T>(get: (() => T) | undefined): T | undefined => (get ? get() : undefined);

  /** A counter whose value a part already keeps: set at scrape time. */
  const counterOf = (name: string, help: string, value: () => number | undefined) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value() ?? 0);
      },
    });
  const gaugeOf = (name: string, help: string, value: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value() ?? 0);
      },
    });

  const outbox = () => read(sources.outbox) ?? null;
  const consumer = () => read(sources.consumer) ?? null;

  counterOf(
    "warren_orders_accepted_total",
    "Orders accepted (durable in the outbox) by this process.",
    () => outbox()?.stats.accepted,
  );
  counterOf(
    "warren_orders_confirmed_total",
    "Orders this process published and the broker confirmed.",
    () => outbox()?.stats.published,
  );
  counterOf(
    "warren_order_publish_failures_total",
    "Order publish attempts that failed (no channel, nack, return, timeout); the row is retried with backoff.",
    () => outbox()?.stats.failedAttempts,
  );
  counterOf(
    "warren_outbox_recovered_total",
    "Outbox rows this process took over from another owner (dead process, expired lease).",
    () => outbox()?.stats.recovered,
  );
  // Both outbox gauges describe the database, shared by every process on it: aggregate with max, not sum.
  const backlog = async (at: number): Promise<Backlog | null | undefined> => {
    try {
      return (await outbox()?.backlog(at)) ?? null;
    } catch {
      // A busy or closing database: leave the gauge as it was rather than fail the whole scrape.
      return undefined;
    }
  };
  new Gauge({
    name: "warren_outbox_pending",
    help: "Orders in the outbox, not yet confirmed by the broker (whole database).",
    registers: [registry],
    async collect() {
      const now = await backlog(Date.now());
      if (now !== undefined) this.set(now?.pending ?? 0);
    },
  });
  new Gauge({
    name: "warren_outbox_oldest_age_seconds",
    help: "Age of the oldest order in the outbox; 0 when it is empty (whole database).",
    registers: [registry],
    async collect() {
      const at = Date.now();
      const now = await backlog(at);
      if (now === undefined) return;
      const oldest = now?.oldestCreatedAt ?? null;
      this.set(oldest === null ? 0 : Math.max(0, at - oldest) / 1000);
    },
  });
  const confirmLatency = new Histogram({
    name: "warren_order_confirm_seconds",
    help: "From an order's acceptance to the broker's confirm of its publish.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  counterOf(
    "warren_payments_recorded_total",
    "Payments this process's consumer recorded.",
    () => consumer()?.stats.paid,
  );
  counterOf(
    "warren_payment_duplicates_total",
    "Deliveries of already-paid orders with the same content, absorbed (acked, not paid again).",
    () => consumer()?.stats.duplicates,
  );
  const conflicts = new Counter({
    name: "warren_payment_conflicts_total",
    help: "Deliveries of already-paid orders with a different body (dead-lettered as conflicts).",
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: "warren_dead_lettered_total",
    help: "Messages the consumer dead-lettered, by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  counterOf("warren_deliveries_received_total", "Deliveries the consumer received.", () => consumer()?.stats.delivered);
  counterOf("warren_deliveries_acked_total", "Deliveries the consumer acked.", () => consumer()?.stats.acked);
  gaugeOf("warren_deliveries_in_flight", "Deliveries received and not yet settled.", () => consumer()?.stats.inFlight);
  gaugeOf("warren_consumer_running", "1 while this process's payment consumer is subscribed.", () =>
    consumer()?.stats.running ? 1 : 0,
  );
  gaugeOf(
    "warren_consumer_store_up",
    "0 while this process's payment consumer finds its database away (unreachable, full, unwritable): deliveries wait, nothing is paid (1 otherwise, and where no consumer runs).",
    () => (consumer()?.status?.().storeUnavailable ? 0 : 1),
  );
  gaugeOf(
    "warren_consumer_standby",
    "1 while this process's payment consumer stands by: every consumer seat of this machine for its pipeline is taken (WARREN_CONSUMERS_PER_HOST).",
    () => (read(sources.seats)?.status().paying === false ? 1 : 0),
  );
  counterOf(
    "warren_publishes_confirmed_total",
    "Publishes (orders, events, dead letters) the broker confirmed.",
    () => read(sources.publisher)?.counts.confirmed,
  );

  // Where the time goes (issue 12, part 3): each order once, by the process whose consumer paid it
  // (lib/books/hop-observer.ts), so sum by (hop, le) across processes counts every order once.
  // Five observations per paid order: counted in place (lib/observability/label-histogram.ts).
  const hopSeconds = new LabelHistogram(
    "warren_order_hop_seconds",
    "Time of each hop of a paid order (place_confirmed, confirmed_delivered, delivered_paid, paid_acked, total = place to ack), observed once per order by the process that paid it.",
    "hop",
    HOP_BUCKETS,
    registry,
  );
  // The cost of exactly-once (issue 12, part 7): duplicates and conflicts absorbed, by why they came.
  const absorbed = new Counter({
    name: "warren_absorbed_total",
    help: "Duplicates and conflicts absorbed, by cause (broker_redelivery, outbox_republish, client_retry, producer_resend) and kind.",
    labelNames: ["cause", "kind"],
    registers: [registry],
  });

  const commitSeconds = new Histogram({
    name: "warren_db_commit_seconds",
    help: "Write transactions, by what they write (the commit writes the WAL; its fsync is separate).",
    labelNames: ["tx"],
    buckets: DISK_BUCKETS,
    registers: [registry],
  });
  const fsyncSeconds = new Histogram({
    name: "warren_db_fsync_seconds",
    help: "fdatasync of the SQLite WAL (on the thread pool; each may cover many commits).",
    buckets: DISK_BUCKETS,
    registers: [registry],
  });

  new Gauge({
    name: "warren_broker_up",
    help: "1 while the AMQP connection is up, by connection.",
    labelNames: ["link"],
    registers: [registry],
    collect() {
      this.reset();
      for (const link of read(sources.links) ?? []) this.set({ link: link.name }, link.state === "up" ? 1 : 0);
    },
  });
  new Gauge({
    name: "warren_books_unaccounted",
    help: "Settled orders in none of outbox, queue, paid, dead-lettered, plus orders paid twice (0: the books balance).",
    registers: [registry],
    collect() {
      const latest = read(sources.books)?.latest;
      // Unknown (no report yet, or the queue cannot be read): NaN rather than a reassuring 0.
      this.set(latest && latest.difference !== null ? latest.difference + latest.paidTwice.length : Number.NaN);
    },
  });
  new Gauge({
    name: "warren_alerts_firing",
    help: "Alerts firing now, by rule (read from the store: the same in every process of the group).",
    labelNames: ["rule"],
    registers: [registry],
    collect() {
      this.reset();
      const board = read(sources.alerts);
      if (!board || board.latest().at === 0) return;
      const counts = new Map<string, number>();
      for (const incident of board.latest().firing) counts.set(incident.rule, (counts.get(incident.rule) ?? 0) + 1);
      for (const [rule, n] of counts) this.set({ rule }, n);
    },
  });
  gaugeOf("warren_sse_clients", "Live SSE streams this process serves.", () => read(sources.sseClients));
  counterOf(
    "warren_queue_samples_total",
    "Queue depth samples taken (one sampler per process).",
    () => read(sources.sampler)?.samplesTaken,
  );
  counterOf(
    "warren_history_rows_written_total",
    "Queue history rows this process wrote (only the history-sampler leader writes).",
    () => read(sources.history)?.stats.written,
  );
  gaugeOf("warren_history_leader", "1 while this process holds the history-sampler lease.", () => {
    const history = read(sources.history);
    return history ? (history.stats.leading ? 1 : 0) : undefined;
  });
  counterOf(
    "warren_management_calls_total",
    "Calls to the RabbitMQ management API.",
    () => read(sources.management)?.calls,
  );
  counterOf(
    "warren_payment_events_relayed_total",
    "Payment events this process relayed to its live streams.",
    () => read(sources.paymentFeed)?.relayed,
  );

  if (options.defaultMetrics ?? true) {
    // Memory, CPU, GC and the event loop's lag (p50/p99/max since the previous scrape).
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  }

  const onCommit = (message: unknown) => {
    const { tx, seconds } = message as CommitProbe;
    commitSeconds.observe({ tx }, seconds);
  };
  const onFsync = (message: unknown) => fsyncSeconds.observe((message as DurationProbe).seconds);
  const onConfirmed = (message: unknown) => confirmLatency.observe((message as DurationProbe).seconds);
  subscribe(PROBES.commit, onCommit);
  subscribe(PROBES.fsync, onFsync);
  subscribe(PROBES.orderConfirmed, onConfirmed);

  const consumers = new WeakSet<EventEmitter>();
  const onAbsorbed = ({ cause, kind }: { cause: string; kind: string }) => absorbed.inc({ cause, kind });
  const onDeadLetter = ({ reason }: { reason: string }) => {
    const category = deadLetterReason(reason);
    deadLettered.inc({ reason: category });
    if (category === "conflict") conflicts.inc();
  };
  const attached: EventEmitter[] = [];

  return {
    registry,
    contentType: registry.contentType,
    /** Where the parts are; later calls add to (and override) earlier ones. */
    attach(more: MetricSources): void {
      sources = { ...sources, ...more };
    },
    /** Counts a consumer's dead letters by reason (once per consumer). */
    attachConsumer(emitter: EventEmitter): void {
      if (consumers.has(emitter)) return;
      consumers.add(emitter);
      attached.push(emitter);
      emitter.on("dead-letter", onDeadLetter);
      emitter.on("absorbed", onAbsorbed);
    },
    /** One hop of one paid order (lib/books/hop-observer.ts). */
    observeHop(hop: string, ms: number): void {
      hopSeconds.observe(hop, ms / 1000);
    },
    /** A duplicate or conflict absorbed outside the consumer (an Idempotency-Key replay at the order door). */
    countAbsorbed(cause: string, kind: string): void {
      absorbed.inc({ cause, kind });
    },
    /** The Prometheus text exposition of everything above. */
    text(): Promise<string> {
      return registry.metrics();
    },
    close(): void {
      unsubscribe(PROBES.commit, onCommit);
      unsubscribe(PROBES.fsync, onFsync);
      unsubscribe(PROBES.orderConfirmed, onConfirmed);
      for (const emitter of attached.splice(0)) {
        emitter.off("dead-letter", onDeadLetter);
        emitter.off("absorbed", onAbsorbed);
      }
      registry.clear();
    },
  };
}
