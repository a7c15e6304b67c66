import "server-only";
import { BrokerLink, describeUrl } from "./amqp/link";
import { ConfirmPublisher } from "./amqp/publisher";
import { DEAD_LETTER_EXCHANGE, deadLetterQueueOf } from "./amqp/topology";
import { type Env, env } from "./config/env";
import { PaymentRelay } from "./events/hub";
import { QueueSampler } from "./events/sampler";
import { endAllStreams } from "./events/streams";
import { OrderOutbox } from "./orders/outbox";
import { PaymentConsumer } from "./payments/consumer";
import { listenForControl } from "./payments/control";
import { Ledger } from "./payments/ledger";
import { ManagementClient } from "./queues/management";
import { openDb } from "./store/db";
import { durabilityOf } from "./store/durable";

/**
 * The process's long-lived parts, kept on globalThis: Next.js loads
 * instrumentation and route handlers in separate module graphs, and
 * `register()` may run twice, yet there must be one connection pair, one
 * consumer and one sampler per process.
 */
export interface Runtime {
  env: Env;
  publishLink: BrokerLink;
  consumeLink: BrokerLink;
  publisher: ConfirmPublisher;
  ledger: Ledger;
  /** Accepted orders wait here until the broker confirmed them; made by startOrderRelay() (web processes only). */
  outbox: OrderOutbox | null;
  management: ManagementClient;
  consumer: PaymentConsumer | null;
  sampler: QueueSampler | null;
  relay: PaymentRelay | null;
  role: string;
}

const store = globalThis as typeof globalThis & { __warrenRuntime?: Runtime };

export function log(message: string) {
  console.log(`${new Date().toISOString()} ${message}`);
}

export function getRuntime(role = "web"): Runtime {
  if (store.__warrenRuntime) return store.__warrenRuntime;
  const config = env();
  const queues = [config.ORDER_QUEUE];
  const publishLink = new BrokerLink({ url: config.AMQP_URL, name: `warren-${role}-publish`, queues, log });
  const consumeLink = new BrokerLink({ url: config.AMQP_URL, name: `warren-${role}-consume`, queues, log });
  void publishLink.start();
  void consumeLink.start();
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
  log(`[warren] ${role} process using broker ${describeUrl(config.AMQP_URL)}, queue ${config.ORDER_QUEUE}`);
  const db = openDb(config.WARREN_DB_PATH);
  durabilityOf(db).startCheckpoints(250, log);
  const publisher = new ConfirmPublisher(publishLink, undefined, log);
  const runtime: Runtime = {
    env: config,
    publishLink,
    consumeLink,
    publisher,
    ledger: new Ledger(db),
    outbox: null,
    management,
    consumer: null,
    sampler: null,
    relay: null,
    role,
  };
  store.__warrenRuntime = runtime;
  return runtime;
}

/** Starts this process's payment consumer once, however often it is called. */
export function startPaymentService(role = "web"): PaymentConsumer {
  const runtime = getRuntime(role);
  runtime.consumer ??= new PaymentConsumer({
    consumeLink: runtime.consumeLink,
    publisher: runtime.publisher,
    ledger: runtime.ledger,
    queue: runtime.env.ORDER_QUEUE,
    prefetch: runtime.env.PREFETCH,
    log,
  }).start();
  // Operator pause/resume/prefetch reach every process's consumer through the broker.
  const g = globalThis as typeof globalThis & { __warrenControl?: boolean };
  if (!g.__warrenControl) {
    g.__warrenControl = true;
    listenForControl(runtime.consumeLink, runtime.consumer, log);
  }
  runtime.relay?.attachLocal(runtime.consumer);
  return runtime.consumer;
}

/**
 * The order relay (one per process): publishes what the outbox holds, now and
 * after every reconnect, including rows left by an earlier run of this process.
 */
export function startOrderRelay(role = "web"): OrderOutbox {
  const runtime = getRuntime(role);
  runtime.outbox ??= new OrderOutbox({
    db: runtime.ledger.db,
    publisher: runtime.publisher,
    link: runtime.publishLink,
    queue: runtime.env.ORDER_QUEUE,
    log,
  });
  return runtime.outbox.start();
}

/** The live side of a web process: one sampler and one payment relay. */
export function getLive(): { sampler: QueueSampler; relay: PaymentRelay; runtime: Runtime } {
  const runtime = getRuntime();
  runtime.sampler ??= new QueueSampler({
    link: runtime.consumeLink,
    queues: [runtime.env.ORDER_QUEUE, deadLetterQueueOf(runtime.env.ORDER_QUEUE)],
    intervalMs: runtime.env.SAMPLE_INTERVAL_MS,
    management: runtime.management,
  }).start();
  runtime.relay ??= new PaymentRelay(runtime.consumeLink, runtime.env.ORDER_QUEUE, log).start();
  if (runtime.consumer) runtime.relay.attachLocal(runtime.consumer);
  return { sampler: runtime.sampler, relay: runtime.relay, runtime };
}

/** Ordered shutdown: stop consuming and let in-flight work settle, then close the connections. */
export async function shutdownRuntime(): Promise<void> {
  const runtime = store.__warrenRuntime;
  if (!runtime) return;
  // Stop accepting orders and let in-flight publishes settle first: they still need the publish channel.
  await runtime.outbox?.stop();
  // End live streams cleanly (an "shutdown" event, then the end) so the HTTP server can close.
  const ended = endAllStreams();
  if (ended > 0) log(`[warren] ended ${ended} live stream(s)`);
  runtime.sampler?.stop();
  await runtime.consumer?.stop();
  await runtime.publishLink.close();
  await runtime.consumeLink.close();
  await durabilityOf(runtime.ledger.db).stop();
  runtime.ledger.db.close();
  log(`[warren] ${runtime.role} stopped: channels and connections closed`);
  store.__warrenRuntime = undefined;
}
