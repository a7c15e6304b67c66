import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp, { type GetMessage } from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";
import { orderDoor } from "../helpers/order-door";

export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

/**
 * Points this process's environment at a web process of the test's own, for tests that build one as
 * instrumentation.ts does (lib/process reads the env once): a queue of its own on the shared broker,
 * a SQLite file in a new temp dir (the caller removes it), and a management URL nobody answers, so a
 * test never sets policies on the shared broker. Call it at the top level, before lib/process loads.
 */
export function ownWebProcessEnv(label: string): { queue: string; dir: string } {
  const queue = `test.${label}.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), `warren-${label}-`));
  process.env.ORDER_QUEUE = queue;
  process.env.WARREN_DB_PATH = join(dir, "web.db");
  process.env.AMQP_URL = AMQP_URL;
  process.env.RABBITMQ_MANAGEMENT_URL = "http://127.0.0.1:9";
  return { queue, dir };
}

/**
 * Deletes a test's queue and its dead-letter queue from the shared broker, on a connection of its
 * own (a queue that is already gone is fine): what every test that declares a queue does last.
 */
export async function deleteQueueAndDlq(queue: string): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
  } finally {
    await connection.close();
  }
}

/**
 * A real broker, a real SQLite file, and Warren's real consumer, on a queue
 * of its own so tests never see each other's messages.
 */
export async function startPipeline(label: string, { prefetch = 50 } = {}) {
  const queue = `test.${label}.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-it-"));
  const ledger = new Ledger(openDb(join(dir, "ledger.db")));
  const publishLink = await new BrokerLink({ url: AMQP_URL, name: `test-${label}-publish`, queues: [queue] }).start();
  const consumeLink = await new BrokerLink({ url: AMQP_URL, name: `test-${label}-consume`, queues: [queue] }).start();
  const publisher = new ConfirmPublisher(publishLink);
  const consumer = new PaymentConsumer({ consumeLink, publisher, ledger, queue, prefetch });
  consumer.start();
  await waitFor(() => consumer.stats.running && publisher.ready, 10_000, "the consumer to start");
  // Orders come in through the door the form and the JSON API use (outbox, then relay).
  const door = orderDoor({ db: ledger.db, publisher, link: publishLink, queue });

  // A plain amqplib connection, like a third-party producer.
  const raw = await amqp.connect(AMQP_URL);
  const rawChannel = await raw.createConfirmChannel();

  return {
    queue,
    dlq: deadLetterQueueOf(queue),
    ledger,
    consumer,
    publisher,
    publishLink,
    consumeLink,
    /** Places an order as Warren's doors do: durable in the outbox, then published by the relay. */
    placeOrder: door.place,
    rawChannel,
    /** Sends a raw message to the queue and waits for the broker's confirm. */
    async send(content: Buffer | string, options: amqp.Options.Publish = {}) {
      rawChannel.sendToQueue(queue, typeof content === "string" ? Buffer.from(content) : content, {
        persistent: true,
        ...options,
      });
      await rawChannel.waitForConfirms();
    },
    async getDeadLetter(timeoutMs = 5000): Promise<GetMessage> {
      let found: GetMessage | false = false;
      await waitFor(
        async () => {
          found = await rawChannel.get(deadLetterQueueOf(queue), { noAck: true });
          return found !== false;
        },
        timeoutMs,
        "a dead letter",
      );
      return found as unknown as GetMessage;
    },
    async close() {
      await door.close();
      await consumer.stop();
      const cleanup = await raw.createChannel();
      await cleanup.deleteQueue(queue).catch(() => {});
      await cleanup.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
      await raw.close().catch(() => {});
      await publishLink.close();
      await consumeLink.close();
      ledger.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";

/** Whether the RabbitMQ management API answers (the plugin is off on a fresh install). */
export async function managementAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`${MANAGEMENT_URL}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
      signal: AbortSignal.timeout(2000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The skip option for a check that needs the management API. In CI it never skips: the check
 * runs and fails, since CI enables the plugin and a silent skip would hide a broken setup.
 * Elsewhere it skips with the reason, and `npm test` reports SKIPPED with the count.
 */
export async function needsManagement(): Promise<string | false> {
  if (process.env.CI || (await managementAnswers())) return false;
  return `no management API at ${MANAGEMENT_URL}: rabbitmq-plugins enable rabbitmq_management`;
}
