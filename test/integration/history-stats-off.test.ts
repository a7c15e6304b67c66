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
 * Part 9 of issue 13 on a real broker whose statistics collection is off (as RabbitMQ 4 moves
 * towards): the management API lists queues with no counts and no rates, and Warren shows the
 * rates it derives from its own samples, saying so; never the broker's "0/s" it did not give.
 * Also the queue list's vhost selector, on a vhost made on this private node only.
 */
describe("rates with broker statistics off (private RabbitMQ node)", { skip: privateBrokerSkipReason() }, () => {
  it("derives publish/deliver/ack from Warren's samples and labels them; lists another vhost's queues", async () => {
    const port = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
    const managementPort = port + 10_000;
    const broker = new PrivateBroker({
      port,
      managementPort,
      extraConfig: ["management_agent.disable_metrics_collector = true"],
    });
    const dir = mkdtempSync(join(tmpdir(), "warren-stats-off-"));
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

      const queue = `stats-off-${Date.now()}`;
      warren = createWarren(
        parseEnv({
          AMQP_URL: broker.url,
          RABBITMQ_MANAGEMENT_URL: api,
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
      // A steady trickle of orders while the leader samples once a second.
      let placed = 0;
      const trickle = setInterval(() => {
        placed++;
        void orders.accept({ item: "stats-off-book", quantity: 1 }, "api").catch(() => {});
      }, 100);
      try {
        await waitFor(
          async () => {
            const detail = await queueDetail(queue);
            return detail.rates.source === "derived" && (detail.rates.publish ?? 0) > 0 && (detail.rates.ack ?? 0) > 0;
          },
          30_000,
          "derived rates on the order queue",
          250,
        );
      } finally {
        clearInterval(trickle);
      }
      const detail = await queueDetail(queue);
      assert.equal(detail.mode, "management");
      assert.equal(detail.rates.source, "derived");
      assert.equal(detail.row?.publishRate, detail.rates.publish, "the page's figure is the derived one");
      assert.ok(placed > 0);
      const history = await queueHistory(queue, "10m");
      assert.equal(history.rateSource, "derived");
      assert.ok(history.publish.some((v) => v !== null && v > 0));
      // The list does not pass the broker's silence off as 0/s: it shows Warren's derived rates, marked so,
      // and nothing for a queue Warren does not sample.
      const page = await queuePage({ page: 1, size: 50, name: queue, sort: "name", dir: "asc", vhost: "/" });
      const row = page.rows.find((r) => r.name === queue);
      assert.ok(row);
      assert.equal(row.rateSource, "derived");
      assert.equal(typeof row.publishRate, "number");
      const unsampled = await fetch(`${api}/api/queues/%2F/not-sampled`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ durable: false }),
      });
      assert.ok(unsampled.ok);
      const other = (await queuePage({ page: 1, size: 50, name: "not-sampled", sort: "name", dir: "asc", vhost: "/" }))
        .rows[0];
      assert.equal(other?.publishRate, null);
      assert.equal(other?.rateSource, undefined);

      // The vhost selector: a queue in another vhost shows there, and not under "/".
      const put = (path: string, body: unknown) =>
        fetch(`${api}${path}`, {
          method: "PUT",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      assert.ok((await put("/api/vhosts/hist-v", {})).ok);
      assert.ok((await put("/api/permissions/hist-v/guest", { configure: ".*", write: ".*", read: ".*" })).ok);
      assert.ok((await put("/api/queues/hist-v/in-other-vhost", { durable: true })).ok);
      const elsewhere = await queuePage({ page: 1, size: 50, name: "", sort: "name", dir: "asc", vhost: "hist-v" });
      assert.deepEqual(
        elsewhere.rows.map((r) => [r.name, r.warren]),
        [["in-other-vhost", false]],
      );
      const root = await queuePage({ page: 1, size: 50, name: "in-other", sort: "name", dir: "asc", vhost: "/" });
      assert.equal(root.rows.length, 0);
    } finally {
      await warren?.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
