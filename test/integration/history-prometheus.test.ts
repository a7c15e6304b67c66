import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { queueHistory } from "../../lib/history";
import { queueDetail, queuePage } from "../../lib/queues/service";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";
import { whileOrdering, withStatsOffWarren } from "./private-warren";

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
    await withStatsOffWarren({ queuePrefix: "prom", prometheus: true }, async ({ queue }) => {
      await whileOrdering("prom-book", () =>
        waitFor(
          async () => {
            const detail = await queueDetail(queue);
            return (
              detail.rates.source === "prometheus" && (detail.rates.publish ?? 0) > 0 && (detail.rates.ack ?? 0) > 0
            );
          },
          45_000,
          "prometheus rates on the order queue",
          250,
        ),
      );
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
    });
  });
});
