import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { orders } from "../../lib/orders";
import { createWarren } from "../../lib/process/warren";
import { PrivateBroker } from "../../scripts/chaos/private-broker";
import type { ScenarioContext } from "../../scripts/chaos/scenarios";
import { waitFor } from "./harness";

/** The port of this run's private node (its management API is on +10000): never the shared broker's. */
const privatePort = () => Number(process.env.CHAOS_AMQP_PORT ?? 5673);

/**
 * A private RabbitMQ node for the chaos scenarios of the calling describe(): started before its
 * tests, always stopped after them. `scenario()` is the context a scenario of scripts/chaos runs in
 * (this process, a work directory under data/chaos).
 */
export function privateChaosBroker() {
  const broker = new PrivateBroker({ port: privatePort() });
  before(async () => {
    await broker.start();
  });
  after(async () => {
    await broker.stop();
  });
  return {
    broker,
    scenario(extra: Pick<ScenarioContext, "log"> = {}): ScenarioContext {
      const workdir = join(process.cwd(), "data", "chaos");
      mkdirSync(workdir, { recursive: true });
      return { broker, mode: "in-process", port: 0, workdir, ...extra };
    },
  };
}

export interface StatsOffWarren {
  broker: PrivateBroker;
  /** The node's management API and the header it takes. */
  api: string;
  auth: { authorization: string };
  /** The order queue Warren consumes and publishes to (a name of its own per run). */
  queue: string;
  warren: ReturnType<typeof createWarren>;
}

/**
 * A private RabbitMQ node whose statistics collection is off, and a Warren (web role, in this
 * process, SQLite in a temporary directory) on it; `use` runs once its consumer and publisher are
 * up. Warren is closed, the node stopped and the directory removed whatever happens. With
 * `prometheus`, the node also serves rabbitmq_prometheus (port +10100) and Warren reads it.
 */
export async function withStatsOffWarren(
  { queuePrefix, prometheus = false }: { queuePrefix: string; prometheus?: boolean },
  use: (node: StatsOffWarren) => Promise<void>,
): Promise<void> {
  const port = privatePort();
  const managementPort = port + 10_000;
  const prometheusPort = port + 10_100;
  const broker = new PrivateBroker({
    port,
    managementPort,
    plugins: prometheus ? ["rabbitmq_prometheus"] : [],
    extraConfig: [
      "management_agent.disable_metrics_collector = true",
      ...(prometheus ? [`prometheus.tcp.port = ${prometheusPort}`, "prometheus.tcp.ip = 127.0.0.1"] : []),
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), `warren-${queuePrefix}-`));
  let warren: ReturnType<typeof createWarren> | null = null;
  try {
    await broker.start();
    const api = `http://127.0.0.1:${managementPort}`;
    const auth = { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` };
    await waitFor(
      async () => (await fetch(`${api}/api/overview`, { headers: auth }).catch(() => null))?.ok === true,
      60_000,
      "the private management API",
      500,
    );
    const overview = (await (await fetch(`${api}/api/overview`, { headers: auth })).json()) as {
      disable_stats?: boolean;
    };
    assert.equal(overview.disable_stats, true, "the node keeps no statistics");
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    if (prometheus) {
      await waitFor(
        async () => (await fetch(`${prometheusUrl}/metrics/per-object`).catch(() => null))?.ok === true,
        30_000,
        "the private prometheus endpoint",
        500,
      );
    }

    const queue = `${queuePrefix}-${Date.now()}`;
    warren = createWarren(
      parseEnv({
        AMQP_URL: broker.url,
        RABBITMQ_MANAGEMENT_URL: api,
        ...(prometheus ? { RABBITMQ_PROMETHEUS_URL: prometheusUrl } : {}),
        ORDER_QUEUE: queue,
        WARREN_DB_PATH: join(dir, "warren.db"),
      }),
      "web",
      { log: () => {} },
    );
    const live = warren;
    await waitFor(
      () => Boolean(live.consumer?.stats.running && live.publisher.ready),
      30_000,
      "consumer and publisher",
    );
    await use({ broker, api, auth, queue, warren: live });
  } finally {
    await warren?.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A steady trickle of orders (one every 100 ms, published, then consumed and acked by Warren's
 * consumer) while `until` waits; returns how many were placed.
 */
export async function whileOrdering(item: string, until: () => Promise<void>): Promise<number> {
  let placed = 0;
  const trickle = setInterval(() => {
    placed++;
    void orders.accept({ item, quantity: 1 }, "api").catch(() => {});
  }, 100);
  try {
    await until();
  } finally {
    clearInterval(trickle);
  }
  return placed;
}
