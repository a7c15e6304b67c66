import { rmSync } from "node:fs";
import { join } from "node:path";
import amqp from "amqplib";
import { PrivateBroker, privateBrokerSkipReason } from "../scripts/chaos/private-broker";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { reachable } from "../scripts/lib/net.mjs";
import { test } from "./fixtures";

/**
 * A private RabbitMQ node (never the shared one) and a `next start` of its
 * own on it, for specs that break the broker, need a secret of their own, or
 * count exactly what was published (no other producer can reach this queue).
 * Registers beforeAll/afterAll in the calling spec file; the node is always stopped.
 */
export function setUpPrivateWarren(
  port: number,
  user?: { name: string; password: string },
  /** A management API on the node (its port, more rabbitmq.conf lines), and Warren pointed at it. */
  options: { managementPort?: number; extraConfig?: string[] } = {},
) {
  const skipReason = privateBrokerSkipReason();
  test.skip(skipReason !== false, skipReason || "");
  const broker = new PrivateBroker({
    port: Number(process.env.CHAOS_AMQP_PORT ?? 5673),
    user,
    managementPort: options.managementPort,
    extraConfig: options.extraConfig,
  });
  const dbPath = join("data", `h4-private-e2e-${port}-${Date.now()}.db`);
  const queue = "e2e.private.order_queue";
  const base = `http://127.0.0.1:${port}`;
  let web: WarrenProcess | null = null;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    // A server already on this port would answer the health check in ours' place (and vanish when its
    // run ends): refuse it rather than test someone else's Warren.
    if (await reachable("127.0.0.1", port, 500)) throw new Error(`port ${port} is taken: set E2E_PRIVATE_PORT`);
    await broker.start();
    const management = broker.managementUrl;
    const extra: Record<string, string> = management ? { RABBITMQ_MANAGEMENT_URL: management } : {};
    web = await startWeb("private-web", { amqpUrl: broker.url, dbPath, queue, extra }, port, true);
  });

  test.afterAll(async () => {
    await web?.stop();
    await broker.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  });

  const withChannel = async <T>(use: (channel: amqp.ConfirmChannel) => Promise<T>): Promise<T> => {
    const connection = await amqp.connect(broker.url);
    try {
      return await use(await connection.createConfirmChannel());
    } finally {
      await connection.close();
    }
  };

  return {
    broker,
    base,
    queue,
    dlq: `${queue}.dlq`,
    async totals(): Promise<number> {
      const res = await fetch(`${base}/api/payments`);
      return ((await res.json()) as { totals: { payments: number } }).totals.payments;
    },
    depthOf(name: string): Promise<number> {
      return withChannel(async (channel) => (await channel.checkQueue(name)).messageCount);
    },
    /** Publishes straight to the order queue, as a third-party producer would. */
    sendRaw(body: string): Promise<void> {
      return withChannel(async (channel) => {
        channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
        await channel.waitForConfirms();
      });
    },
  };
}

/**
 * Ports of a run's own extra servers, next to its E2E_PORT: concurrent runs on one machine (each
 * with its own E2E_PORT) never share one.
 */
export const e2ePort = () => Number(process.env.E2E_PORT ?? 3100);
