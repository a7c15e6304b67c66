import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { queueHistory } from "../../lib/history";
import { queueDetail, queuePage } from "../../lib/queues/service";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";
import { whileOrdering, withStatsOffWarren } from "./private-warren";

/**
 * Part 9 of issue 13 on a real broker whose statistics collection is off (as RabbitMQ 4 moves
 * towards): the management API lists queues with no counts and no rates, and Warren shows the
 * rates it derives from its own samples, saying so; never the broker's "0/s" it did not give.
 * Also the queue list's vhost selector, on a vhost made on this private node only.
 */
describe("rates with broker statistics off (private RabbitMQ node)", { skip: privateBrokerSkipReason() }, () => {
  it("derives publish/deliver/ack from Warren's samples and labels them; lists another vhost's queues", async () => {
    await withStatsOffWarren({ queuePrefix: "stats-off" }, async ({ api, auth, queue }) => {
      // A steady trickle of orders while the leader samples once a second.
      const placed = await whileOrdering("stats-off-book", () =>
        waitFor(
          async () => {
            const detail = await queueDetail(queue);
            return detail.rates.source === "derived" && (detail.rates.publish ?? 0) > 0 && (detail.rates.ack ?? 0) > 0;
          },
          30_000,
          "derived rates on the order queue",
          250,
        ),
      );
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
    });
  });
});
