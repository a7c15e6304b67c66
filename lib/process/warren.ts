import "server-only";
import path from "node:path";
import { AlertBoard } from "../alerts/board";
import { AlertEvaluator } from "../alerts/evaluator";
import { parseWebhooks } from "../alerts/webhooks";
import { BrokerLink, describeUrl } from "../amqp/link";
import { ConfirmPublisher } from "../amqp/publisher";
import { DEAD_LETTER_EXCHANGE, deadLetterQueueOf } from "../amqp/topology";
import { BooksChecker } from "../books/checker";
import { HopObserver } from "../books/hop-observer";
import { AlarmMonitor } from "../broker-admin/alarm-monitor";
import type { Env } from "../config/env";
import { PaymentRelay } from "../events/hub";
import { PaymentTail } from "../events/payment-tail";
import { QueueSampler } from "../events/sampler";
import { StreamRegistry } from "../events/streams";
import { HealthMonitor } from "../health/monitor";
import { createMetrics, type WarrenMetrics } from "../observability/metrics";
import { OrderOutbox } from "../orders/outbox";
import { PaymentConsumer } from "../payments/consumer";
import { listenForControl } from "../payments/control";
import type { Payment } from "../payments/decide";
import { type Ledger, ledgerOf } from "../payments/ledger";
import { PipelineStateWatcher, WAITING_FOR_STATE } from "../payments/pipeline-state";
import { seatHolderHealth } from "../payments/seat-health";
import { ConsumerSeats, coresHere } from "../payments/seats";
import { ManagementClient } from "../queues/management";
import { createQueueTools, type QueueTools } from "../queues/service";
import { QueueWatchers } from "../queues/watch";
import type { Db } from "../store/db";
import { describeStore, openStore } from "../store/open";
import type { PostgresStore } from "../store/postgres";
import { SqliteStore } from "../store/sqlite";
import type { WarrenStore } from "../store/store";
import { findWarren, holdWarren, releaseWarren } from "./current";
import { Leader } from "./leader";
import type { Log } from "./log";

/** A web process serves the app (and pays orders unless WARREN_CONSUMER=0); a worker only pays orders. */
export type Role = "web" | "worker";

export interface WarrenOptions {
  log: Log;
  /** Each part's own log (a child logger naming the part); `log` for every part when absent. */
  logFor?: (part: string) => Log;
  /** Run the payment consumer here; a worker always does, a web process when WARREN_CONSUMER is on. */
  consumer?: boolean;
}

/** The live side of a web process: what the dashboards subscribe to. */
export interface LiveParts {
  sampler: QueueSampler;
  /** Payment events from the `payments.events` fanout (and this process's own consumer): wake-ups for `payments`. */
  feed: PaymentRelay;
  /** The payments every live stream serves, read from the store in resume-safe order (the feed only wakes it). */
  payments: PaymentTail;
  health: HealthMonitor;
  /** Resource alarms for every page's banner: one watcher per process, whatever the number of tabs. */
  alarms: AlarmMonitor;
  /** Whether every accepted order is accounted for: one checker per process, whatever the number of tabs. */
  books: BooksChecker;
  /** The alerts firing now (every page's banner), read from the store by each process. */
  alerts: AlertBoard;
  /** The alert rules: evaluated and sent by the one process of the group holding the "alerts" lease. */
  evaluator: AlertEvaluator;
}

/** Everything one Warren process runs. Parts a role does not need are null. */
export interface Warren {
  readonly role: Role;
  readonly env: Env;
  readonly log: Log;
  /** Everything Warren keeps (lib/store), behind its interface. */
  readonly store: WarrenStore;
  /** The store's SQLite file (null on PostgreSQL). */
  readonly db: Db | null;
  readonly ledger: Ledger | null;
  readonly publishLink: BrokerLink;
  readonly consumeLink: BrokerLink;
  readonly publisher: ConfirmPublisher;
  readonly management: ManagementClient;
  readonly consumer: PaymentConsumer | null;
  /** Accepted orders wait here until the broker confirmed them (web). */
  readonly outbox: OrderOutbox | null;
  readonly live: LiveParts | null;
  readonly queueTools: QueueTools | null;
  readonly watchers: QueueWatchers | null;
  readonly streams: StreamRegistry | null;
  /** This process's Prometheus registry: GET /api/metrics (web), the worker's WORKER_METRICS_PORT. */
  readonly metrics: WarrenMetrics;
  /** True from the moment close() is called. */
  readonly closing: boolean;
  /** Stops every part, in the reverse of the order they started in. */
  close(): Promise<void>;
}

/**
 * Builds and starts every part `role` needs, in dependency order, and returns
 * the process. Nothing here waits for the broker: links connect (and
 * reconnect) in the background, and each part starts its work when its link
 * is up. So this is safe to call from `register()`.
 *
 * What runs, in start order (close() stops them in the reverse order):
 *
 *   0. metrics      the Prometheus registry: reads the parts below at scrape time (both roles)
 *   1. store        PostgreSQL pool, or SQLite file + checkpoints (both roles)
 *   2. links        publish + consume connections, topology      (both roles)
 *   3. publisher    confirm channel on the publish link          (both roles)
 *   4. consumer     payment consumer + operator control listener (worker; web unless WARREN_CONSUMER=0)
 *   5. outbox       order relay: publishes what intake stored    (web)
 *   6. live         payment feed + tail, queue sampler, health monitor, books, alerts (web)
 *   7. history      durable queue history (leader writes) + own-rate meter (web)
 *   8. pages        audit log, queue-page watchers, SSE streams  (web)
 *
 * The reverse order is what shutdown needs: open streams end first (so the HTTP
 * server can close), timers stop, the outbox lets its in-flight publishes
 * settle while the publish channel still exists, the consumer drains and acks
 * while the consume channel exists, then the connections close, then the DB.
 */
export function createWarren(config: Env, role: Role, options: WarrenOptions): Warren {
  if (findWarren()) throw new Error("a Warren process is already running here");
  const { log } = options;
  const logOf = (part: string): Log => options.logFor?.(part) ?? log;
  const web = role === "web";
  const stops: Array<{ name: string; stop: () => unknown }> = [];
  const started = <T>(name: string, part: T, stop: (part: T) => unknown): T => {
    stops.push({ name, stop: () => stop(part) });
    return part;
  };

  // 0. metrics (first built, last closed: a scrape during shutdown still answers)
  const metrics = started("metrics", createMetrics(), (m) => m.close());

  // 1. store: PostgreSQL with DATABASE_URL, else the SQLite file (created or upgraded to the latest schema)
  const store = started("store", openStore(config, logOf("db")), (s) => s.close());
  const sqlite = store instanceof SqliteStore ? store : null;
  const ledger = sqlite?.ledger ?? null;
  log(`[warren] ${role} process using ${describeStore(config)}`);
  // Accounts and sessions live in the store (store.accounts): on PostgreSQL every web process shares them.
  const db = sqlite?.db ?? null;
  if (!sqlite) {
    // The schema is brought up to date now rather than by the first order; a database that is down
    // or refuses is said at start, and each later call tries again.
    void (store as PostgresStore)
      .ready()
      .catch((error: Error) => logOf("db")(`[db] PostgreSQL is not ready: ${error.message} (each call tries again)`));
  }

  // 2. links (one connection to publish, one to consume: flow control on one never stalls the other)
  const queues = [config.ORDER_QUEUE];
  const link = (purpose: string) =>
    started(
      `${purpose} link`,
      new BrokerLink({ url: config.AMQP_URL, name: `warren-${role}-${purpose}`, queues, log: logOf("amqp") }),
      (l) => l.close(),
    );
  const publishLink = link("publish");
  const consumeLink = link("consume");
  void publishLink.start();
  void consumeLink.start();
  log(`[warren] ${role} process using broker ${describeUrl(config.AMQP_URL)}, queue ${config.ORDER_QUEUE}`);
  const management = new ManagementClient({
    baseUrl: config.RABBITMQ_MANAGEMENT_URL,
    amqpUrl: config.AMQP_URL,
    user: config.RABBITMQ_MANAGEMENT_USER,
    password: config.RABBITMQ_MANAGEMENT_PASSWORD,
  });
  publishLink.once("up", () => {
    void management.applyDeadLetterPolicy(config.ORDER_QUEUE, DEAD_LETTER_EXCHANGE).then((ok) => {
      if (!ok) log("[topology] management API not reachable: only Warren's consumer dead-letters (no policy set)");
    });
  });

  // 3. publisher (its channel opens and reopens with the publish link)
  const publisher = new ConfirmPublisher(publishLink, undefined, log);

  // 4. consumer, and the operator's pause/resume/prefetch, which reach every process through the broker
  let consumer: PaymentConsumer | null = null;
  if (options.consumer ?? (role === "worker" || config.WARREN_CONSUMER)) {
    consumer = started(
      "consumer",
      new PaymentConsumer({
        consumeLink,
        publisher,
        ledger: ledgerOf(store),
        queue: config.ORDER_QUEUE,
        prefetch: config.PREFETCH,
        log: logOf("consumer"),
        startPaused: WAITING_FOR_STATE,
      }).start(),
      (c) => c.stop(),
    );
    metrics.attachConsumer(consumer);
    // Where the time goes: each order this consumer paid, observed once in the hop histograms.
    const hops = started(
      "hop observer",
      new HopObserver({
        reads: store.timing,
        observe: (hop, ms) => metrics.observeHop(hop, ms),
        onError: (error) => logOf("consumer")(`[latency] ${error instanceof Error ? error.message : String(error)}`),
      }).start(),
      (h) => h.stop(),
    );
    consumer.on("payment", (payment: Payment, deliveredAt: number | null) =>
      hops.note(payment.orderId, { placedAt: payment.placedAt, paidAt: payment.paidAt, deliveredAt }),
    );
    consumer.on("acked", (acked: Array<{ orderId: string; deliveredAt: number; ackedAt: number }>) => {
      // Each entry is its own times (no copy per order: this runs for every order paid).
      for (const entry of acked) hops.acked(entry.orderId, entry);
    });
    // One consumer per core of this machine pays; more stand by (lib/payments/seats.ts). The seat is
    // freed just before this process's consumer stops, so one standing by takes over while this one drains.
    const payer = consumer;
    const seats = started(
      "consumer seat",
      new ConsumerSeats({
        key: `${config.ORDER_QUEUE}\n${storeIdentity(config)}`,
        health: () => seatHolderHealth(payer.status(), store.durabilityLost?.() ?? null),
        seats: config.WARREN_CONSUMERS_PER_HOST ?? coresHere(),
        seatsFrom:
          config.WARREN_CONSUMERS_PER_HOST === undefined
            ? "one per core; WARREN_CONSUMERS_PER_HOST sets it"
            : "WARREN_CONSUMERS_PER_HOST",
        log: logOf("consumer"),
      }).start(),
      (s) => s.close(),
    );
    metrics.attach({ seats: () => seats });
    // The stored pause/resume/prefetch is the truth (a process started while paused starts paused);
    // the control fanout wakes every process to re-read it at once, and each re-reads it periodically.
    const pipelineState = started(
      "pipeline state",
      new PipelineStateWatcher({
        store: store.pipeline,
        queue: config.ORDER_QUEUE,
        consumer,
        intervalMs: config.WARREN_PIPELINE_POLL_MS,
        log: logOf("control"),
        seats,
      }).start(),
      (w) => w.stop(),
    );
    started(
      "control listener",
      listenForControl(consumeLink, consumer, logOf("control"), () => pipelineState.refresh()),
      (l) => l.close(),
    );
  }

  // 5. outbox relay: publishes what intake stored, now and after every reconnect (rows of an earlier run too)
  const outbox = web
    ? started(
        "outbox",
        new OrderOutbox({
          store,
          publisher,
          link: publishLink,
          queue: config.ORDER_QUEUE,
          log: logOf("outbox"),
        }).start(),
        (o) => o.stop(),
      )
    : null;

  // 6. live: one payment feed and one sampler per process, however many dashboards are open
  let live: LiveParts | null = null;
  if (web) {
    const feed = new PaymentRelay(consumeLink, config.ORDER_QUEUE, logOf("payment-feed")).start();
    if (consumer) feed.attachLocal(consumer);
    const payments = started(
      "payment tail",
      new PaymentTail({ payments: store.payments, wake: feed, log: logOf("payment-feed") }).start(),
      (t) => t.stop(),
    );
    const sampler = started(
      "sampler",
      new QueueSampler({
        link: consumeLink,
        queues: [config.ORDER_QUEUE, deadLetterQueueOf(config.ORDER_QUEUE)],
        intervalMs: config.SAMPLE_INTERVAL_MS,
        management,
      }).start(),
      (s) => s.stop(),
    );
    const health = new HealthMonitor({
      sampler,
      reads: store.health,
      orderQueue: config.ORDER_QUEUE,
      stuckAfterS: config.WARREN_STUCK_AFTER_S,
    });
    const alarms = started("alarm monitor", new AlarmMonitor(management, publishLink).start(), (a) => a.stop());
    const booksLog = logOf("books");
    const books = started(
      "books",
      new BooksChecker({
        reads: store.health,
        sampler,
        orderQueue: config.ORDER_QUEUE,
        intervalMs: config.WARREN_BOOKS_INTERVAL_MS,
        settleMs: config.WARREN_BOOKS_SETTLE_MS,
        verifyEveryMs: config.WARREN_BOOKS_VERIFY_MS,
        // A locked, busy or unreachable store skips one tick; the next tries again.
        onError: (error) => booksLog(`[books] tick failed: ${error instanceof Error ? error.message : String(error)}`),
      }).start(),
      (b) => b.stop(),
    );
    // Alerts: every process reads what fires (for its pages); only the "alerts" leader evaluates and sends.
    const alertsLog = logOf("alerts");
    const alertBoard = started(
      "alert board",
      new AlertBoard(store.alerts, Math.min(config.WARREN_ALERT_INTERVAL_MS, 5000), (error) =>
        alertsLog(
          `[alerts] could not read the firing alerts: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ).start(),
      (b) => b.stop(),
    );
    const evaluator = started(
      "alert evaluator",
      new AlertEvaluator({
        store,
        leader: new Leader(store.leadership, "alerts", {
          // Longer than a round's wait and than one webhook call (the lease is renewed before each call).
          ttlMs: Math.max(15_000, 3 * config.WARREN_ALERT_INTERVAL_MS, 3 * config.WARREN_ALERT_WEBHOOK_TIMEOUT_MS),
          log: alertsLog,
        }),
        orderQueue: config.ORDER_QUEUE,
        thresholds: {
          dlqPerMin: config.WARREN_ALERT_DLQ_PER_MIN,
          stuckS: config.WARREN_ALERT_STUCK_S,
          outboxAgeS: config.WARREN_ALERT_OUTBOX_AGE_S,
        },
        webhooks: parseWebhooks(config.WARREN_ALERT_WEBHOOKS),
        guard: { enabled: config.WARREN_ALERT_GUARD, dlqPerMin: config.WARREN_ALERT_GUARD_DLQ_PER_MIN },
        publisher,
        intervalMs: config.WARREN_ALERT_INTERVAL_MS,
        webhookTimeoutMs: config.WARREN_ALERT_WEBHOOK_TIMEOUT_MS,
        retryBaseMs: config.WARREN_ALERT_RETRY_MS,
        books: () => books.latest,
        sample: () => sampler.latest(),
        history: () => sampler.history,
        alarms: () => alarms.latest(),
        log: alertsLog,
      }).start(),
      (e) => e.stop(),
    );
    evaluator.on("changed", () => void alertBoard.refresh().catch(() => undefined));
    live = { sampler, feed, payments, health, alarms, books, alerts: alertBoard, evaluator };
  }

  // 7. history: durable, in the store; one web process of all (the "history-sampler" lease) samples and writes
  const queueTools = live
    ? started(
        "queue history",
        createQueueTools({
          env: config,
          publisher,
          consumer,
          sampler: live.sampler,
          consumeLink,
          management,
          store,
          log: logOf("history"),
        }),
        (tools) => tools.stop(),
      )
    : null;

  // 8. what the pages use
  const watchers = web ? started("queue watchers", new QueueWatchers(), (w) => w.stopAll()) : null;
  const streams = web
    ? started("live streams", new StreamRegistry(), (registry) => {
        // End live streams cleanly (a "shutdown" event, then the end) so the HTTP server can close.
        const ended = registry.endAll();
        if (ended > 0) log(`[warren] ended ${ended} live stream(s)`);
      })
    : null;
  metrics.attach({
    links: () => [
      { name: "publish", state: publishLink.state },
      { name: "consume", state: consumeLink.state },
    ],
    publisher: () => publisher,
    management: () => management,
    outbox: () => outbox && { stats: outbox.stats, backlog: (at) => store.orders.backlog(at) },
    consumer: () => consumer,
    sampler: () => live?.sampler ?? null,
    history: () => queueTools?.recorder ?? null,
    books: () => live?.books ?? null,
    alerts: () => live?.alerts ?? null,
    paymentFeed: () => live?.feed ?? null,
    sseClients: () => streams?.size ?? 0,
  });

  let closing: Promise<void> | null = null;
  const warren: Warren = {
    role,
    env: config,
    log,
    store,
    db,
    ledger,
    publishLink,
    consumeLink,
    publisher,
    management,
    consumer,
    outbox,
    live,
    queueTools,
    watchers,
    streams,
    metrics,
    get closing() {
      return closing !== null;
    },
    close() {
      closing ??= (async () => {
        for (const { name, stop } of stops.reverse()) {
          try {
            await stop();
          } catch (error) {
            log(`[warren] could not stop the ${name}: ${(error as Error).message}`);
          }
        }
        releaseWarren(warren);
        log(`[warren] ${role} stopped: every part closed`);
      })();
      return closing;
    },
  };
  holdWarren(warren);
  return warren;
}

/**
 * What names one pipeline's store across processes (hashed, never shown): the SQLite file's absolute path,
 * or the PostgreSQL URL without its password (host, socket directory and options included).
 */
function storeIdentity(config: Env): string {
  if (!config.DATABASE_URL) {
    // Each in-memory database is its own store.
    return config.WARREN_DB_PATH === ":memory:" ? `:memory: ${process.pid}` : path.resolve(config.WARREN_DB_PATH);
  }
  try {
    const url = new URL(config.DATABASE_URL);
    url.password = "";
    return url.toString();
  } catch {
    return describeStore(config);
  }
}
