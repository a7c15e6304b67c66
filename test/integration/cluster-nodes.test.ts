import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { acceptOrder } from "../../lib/orders/accept";
import type { Warren } from "../../lib/process/warren";
import { createWarren } from "../../lib/process/warren";
import { PrivateBroker, privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";

/**
 * Warren on a real 3-node RabbitMQ cluster (the nodes `npm run cluster` starts, on ports 5791-5793,
 * in a quorum-default vhost): the links connect through the node list, the node they are on is
 * stopped, and they move to another node and keep publishing and consuming, so an order placed
 * through the order door after the move is paid.
 */
const BASE = Number(process.env.CLUSTER_TEST_BASE_PORT ?? 5791);
const VHOST = "warren";

async function paid(warren: Warren, orderId: string): Promise<boolean> {
  return (await warren.store.payments.recent(50)).some((p) => p.orderId === orderId);
}

test("the link moves to another node when its node stops, and orders are still paid", {
  skip: privateBrokerSkipReason(),
  timeout: 240_000,
}, async () => {
  const cookie = randomBytes(20).toString("hex").toUpperCase();
  const nodes = [0, 1, 2].map(
    (i) => new PrivateBroker({ port: BASE + i, nodeName: `warren-nodes-${BASE + i}@localhost`, cookie }),
  );
  const dir = mkdtempSync(join(tmpdir(), "warren-cluster-nodes-"));
  let warren: Warren | null = null;
  try {
    await Promise.all(nodes.map((node) => node.start()));
    const [seed, ...rest] = nodes as [PrivateBroker, ...PrivateBroker[]];
    for (const node of rest) await node.joinCluster(seed);
    await seed.ctl("add_vhost", VHOST, "--default-queue-type", "quorum");
    await seed.ctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*");

    const lines: string[] = [];
    const config = parseEnv({
      AMQP_URL: nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.port}/${VHOST}`).join(","),
      ORDER_QUEUE: `test.nodes.${process.pid}`,
      WARREN_DB_PATH: join(dir, "warren.db"),
      // No management on these nodes: a closed port, so nothing is tried against the shared broker.
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
    });
    const w = createWarren(config, "web", { log: (line) => lines.push(line) });
    warren = w;
    const { consumer, outbox } = w;
    assert.ok(consumer && outbox);
    await waitFor(() => consumer.stats.running && w.publisher.ready, 30_000, "the consumer and publisher");
    const first = w.publishLink.node();
    assert.equal(first, `127.0.0.1:${BASE}/${VHOST}`, "the first node of the list is tried first");

    const before = await acceptOrder({ item: "book", quantity: 1 }, "api", outbox);
    await waitFor(() => paid(w, before.orderId), 20_000, "the order placed before the move is paid");

    // Stop the node both links are on (the app only: the Erlang node stays, as in a broker restart).
    const onNode = nodes.find((n) => `127.0.0.1:${n.port}/${VHOST}` === first) as PrivateBroker;
    let lostAt = 0;
    w.publishLink.once("down", () => {
      lostAt = Date.now();
    });
    const stoppedAt = Date.now();
    await onNode.stopApp();
    await waitFor(
      () =>
        w.publishLink.state === "up" &&
        w.consumeLink.state === "up" &&
        w.publishLink.node() !== first &&
        w.consumeLink.node() !== first,
      30_000,
      "both links up on another node",
    );
    const movedAt = Date.now();
    const moved = movedAt - stoppedAt;
    await waitFor(() => consumer.stats.running && w.publisher.ready, 30_000, "consumer and publisher back");
    const recovered = Date.now() - stoppedAt;

    const after = await acceptOrder({ item: "book", quantity: 2 }, "api", outbox);
    await waitFor(() => paid(w, after.orderId), 30_000, "the order placed after the move is paid");
    const paidAfter = Date.now() - stoppedAt;
    console.log(
      `[cluster-nodes] links moved ${first} -> ${w.publishLink.node()} in ${moved} ms after stop_app was issued (${movedAt - lostAt} ms after the link saw its node go), pipeline ready in ${recovered} ms, order paid ${paidAfter} ms after stop_app`,
    );
    assert.ok(
      lines.some((l) => l.includes(`lost the broker node ${first}`)),
      lines.join("\n"),
    );
    // After a loss the link starts from the following node: the node just lost is not retried first.
    const lost = lines.findIndex((l) => l.includes(`lost the broker node ${first}`));
    const retriedLost = lines
      .slice(lost)
      .filter((l) => l.includes("connect attempt") && l.includes(` ${first} failed`));
    assert.deepEqual(retriedLost, [], "no attempt went back to the stopped node first");
    assert.doesNotMatch(lines.join("\n"), /guest:guest/);
    assert.deepEqual(await w.store.payments.counts(), { payments: 2, duplicates: 0 });
  } finally {
    await warren?.close().catch(() => {});
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});
