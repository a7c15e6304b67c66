import "server-only";
import { BrokerLink, describeUrl } from "./amqp/link";
import { ConfirmPublisher } from "./amqp/publisher";
import { DEAD_LETTER_EXCHANGE, deadLetterQueueOf } from "./amqp/topology";
import { type Env, env } from "./config/env";
import { PaymentRelay } from "./events/hub";
import { QueueSampler } from "./events/sampler";
import { OrderLog } from "./orders/order-log";
import { PaymentConsumer } from "./payments/consumer";
import { Ledger } from "./payments/ledger";
import { ManagementClient } from "./queues/management";
import { openDb } from "./store/db";

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
  orderLog: OrderLog;
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
  const management = new ManagementClient({ baseUrl: config.RABBITMQ_MANAGEMENT_URL, amqpUrl: config.AMQP_URL });
  publishLink.once("up", () => {
    void management.applyDeadLetterPolicy(config.ORDER_QUEUE, DEAD_LETTER_EXCHANGE).then((ok) => {
      if (!ok) log("[topology] management API not reachable: only Warren's consumer dead-letters (no policy set)");
    });
  });
  log(`[warren] ${role} process using broker ${describeUrl(config.AMQP_URL)}, queue ${config.ORDER_QUEUE}`);
  const db = openDb(config.WARREN_DB_PATH);
  const runtime: Runtime = {
    env: config,
    publishLink,
    consumeLink,
    publisher: new ConfirmPublisher(publishLink),
    ledger: new Ledger(db),
    orderLog: new OrderLog(db),
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
  runtime.relay?.attachLocal(runtime.consumer);
  return runtime.consumer;
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
  runtime.relay ??= new PaymentRelay(runtime.consumeLink, log).start();
  if (runtime.consumer) runtime.relay.attachLocal(runtime.consumer);
  return { sampler: runtime.sampler, relay: runtime.relay, runtime };
}

/** Ordered shutdown: stop consuming and let in-flight work settle, then close the connections. */
export async function shutdownRuntime(): Promise<void> {
  const runtime = store.__warrenRuntime;
  if (!runtime) return;
  runtime.sampler?.stop();
  await runtime.consumer?.stop();
  await runtime.publishLink.close();
  await runtime.consumeLink.close();
  runtime.orderLog.flush();
  runtime.ledger.db.close();
  store.__warrenRuntime = undefined;
}
