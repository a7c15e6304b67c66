import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { queueHistory } from "../../lib/history";
import { orders } from "../../lib/orders";
import { createWarren } from "../../lib/process/warren";
import { queueDetail, queuePage } from "../../lib/queues/service";
import { PrivateBroker, privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";

/**
 * Part 9 of issue 13, the prometheus source: a private node with the management plugin's statistics
 * off and `rabbitmq_prometheus` on. The management API gives no rates; Warren reads the plugin's
 * /metrics/per-object counters (RABBITMQ_PROMETHEUS_URL) and prefers those rates over the ones it
 * derives from its own samples, labelled "prometheus".
 */
describe("rates from rabbitmq_prometheus with broker statistics off (private node)", {
  skip: privateBrokerSkipReason(),
}, () => {
  it("labels the order queue's publish/deliver/ack 'prometheus' from the plugin's counters", async () => {
    const port = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
    const managementPort = port + 10_000;
    const prometheusPort = port + 10_100;
    const broker = new PrivateBroker({
      port,
      managementPort,
      plugins: ["rabbitmq_prometheus"],
      extraConfig: [
        "management_agent.disable_metrics_collector = true",
        `prometheus.tcp.port = ${prometheusPort}`,
        "prometheus.tcp.ip = 127.0.0.1",
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "warren-prometheus-"));
    let warren: ReturnType<typeof createWarren> | null = null;
    try {
      await broker.start();
      const api = `http://127.0.0.1:${managementPort}`;
      const prometheus = `http://127.0.0.1:${prometheusPort}`;
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
      await waitFor(
        async () => (await fetch(`${prometheus}/metrics/per-object`).catch(() => null))?.ok === true,
        30_000,
        "the private prometheus endpoint",
        500,
      );

      const queue = `prom-${Date.now()}`;
      warren = createWarren(
        parseEnv({
          AMQP_URL: broker.url,
          RABBITMQ_MANAGEMENT_URL: api,
          RABBITMQ_PROMETHEUS_URL: prometheus,
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
      // A steady trickle of orders (published, then consumed and acked by Warren's consumer).
      const trickle = setInterval(() => {
        void orders.accept({ item: "prom-book", quantity: 1 }, "api").catch(() => {});
      }, 100);
      try {
        await waitFor(
          async () => {
            const detail = await queueDetail(queue);
            return (
              detail.rates.source === "prometheus" && (detail.rates.publish ?? 0) > 0 && (detail.rates.ack ?? 0) > 0
            );
          },
          45_000,
          "prometheus rates on the order queue",
          250,
        );
      } finally {
        clearInterval(trickle);
      }
      const detail = await queueDetail(queue);
      assert.equal(detail.rates.source, "prometheus");
      const history = await queueHistory(queue, "10m");
      assert.equal(history.rateSource, "prometheus");
      assert.ok(
        history.publish.some((v) => v !== null && v > 0),
        "a recorded publish rate above zero",
      );
      const page = await queuePage({ page: 1, size: 50, name: queue, sort: "name", dir: "asc", vhost: "/" });
      const row = page.rows.find((r) => r.name === queue);
      assert.equal(row?.rateSource, "prometheus");
      assert.equal(typeof row?.publishRate, "number");
    } finally {
      await warren?.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
