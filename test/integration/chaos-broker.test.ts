import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { OrderOutbox } from "../../lib/orders/outbox";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";
import { SqliteStore } from "../../lib/store/sqlite";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import {
  closeAllConnections,
  consumerCrash,
  type ScenarioContext,
  type ScenarioResult,
  workerSigterm,
} from "../../scripts/chaos/scenarios";
import { waitFor } from "./harness";
import { privateChaosBroker } from "./private-warren";

/**
 * The fast chaos scenarios of `npm run chaos`, on a private RabbitMQ node
 * that this file starts and always stops (never the shared one on 5672).
 * They run in-process (Warren's outbox + relay here, real `npm run worker`
 * processes) so they need no production build.
 */
function assertNothingLost(result: ScenarioResult) {
  assert.ok(result.accepted > 50, `enough orders were accepted to mean something (${result.accepted})`);
  assert.equal(result.lost, 0, `lost orders: ${result.problems.join("; ")}`);
  assert.equal(result.duplicated, 0, "duplicate payments");
  assert.equal(result.paid, result.accepted);
  assert.deepEqual(result.problems, []);
}

describe("chaos: broker connections and consumers (private RabbitMQ node)", {
  timeout: 150_000,
  skip: privateBrokerSkipReason(),
}, () => {
  const node = privateChaosBroker();
  const { broker } = node;
  let ctx: ScenarioContext;
  before(() => {
    ctx = node.scenario();
  });

  it("close_all_connections under load: Warren reconnects by itself and every accepted order is paid once", async () => {
    const result = await closeAllConnections(ctx);
    assertNothingLost(result);
    // Recovered at all (within the scenario's 30 s); how fast is the chaos report's figure.
    assert.equal(typeof result.recoverMs, "number");
  });

  it("kill -9 of a worker holding unacked deliveries: the other worker pays them, once", async () => {
    const result = await consumerCrash(ctx);
    assertNothingLost(result);
    assert.ok(
      result.notes.some((n) => /^[1-9]\d* redelivered/.test(n)),
      result.notes.join("; "),
    );
  });

  it("SIGTERM of a worker mid-stream: it exits cleanly and nothing is lost", async () => {
    const result = await workerSigterm(ctx);
    assertNothingLost(result);
    assert.ok(
      result.notes.some((n) => /exited with code 0/.test(n)),
      result.notes.join("; "),
    );
  });

  it("outbox: orders taken while the broker is down are accepted, survive a restart of the relay, and are paid once", async () => {
    const dbPath = join(ctx.workdir, `h4-outbox-${Date.now()}.db`);
    const queue = `h4.chaos.outbox.${Date.now()}`;
    const db = openDb(dbPath);
    const ledger = new Ledger(db);
    const links: BrokerLink[] = [];
    const open = async (name: string) => {
      const link = await new BrokerLink({ url: broker.url, name, queues: [queue] }).start();
      links.push(link);
      const publisher = new ConfirmPublisher(link);
      await waitFor(() => publisher.ready, 10_000, `${name} to connect`);
      return { link, publisher };
    };
    const first = await open("outbox-a");
    const outboxA = new OrderOutbox({ store: new SqliteStore(db), ...first, queue }).start();
    const consumerSide = await open("consumer");
    const consumer = new PaymentConsumer({
      consumeLink: consumerSide.link,
      ...consumerSide,
      ledger,
      queue,
      prefetch: 20,
    });
    try {
      const healthy = await outboxA.accept({ item: "book", quantity: 1 }, "test");
      assert.equal(healthy.status, "placed", "with the broker up the order is confirmed at once");

      await broker.stopApp();
      const waiting = await Promise.all(
        Array.from({ length: 20 }, (_, i) => outboxA.accept({ item: "tea", quantity: 1 + (i % 3) }, "test", 300)),
      );
      // "accepted", not "placed": each answer came without a broker's confirm, so none waited for one.
      assert.ok(waiting.every((w) => w.status === "accepted"));
      assert.equal(await outboxA.pending(), 20, "all twenty are durable in the outbox");

      // The process "dies" while the broker is away: its relay stops, the rows stay.
      await outboxA.stop(500);
      await broker.startApp();
      const second = await open("outbox-b");
      const outboxB = new OrderOutbox({ store: new SqliteStore(db), ...second, queue }).start();
      // A second relay on the same DB at the same time: leases keep them from publishing a row twice.
      const outboxC = new OrderOutbox({ store: new SqliteStore(db), ...second, queue }).start();
      consumer.start();
      const ids = [healthy, ...waiting].map((w) => w.order.orderId);
      await waitFor(() => ids.every((id) => ledger.recent(100).some((p) => p.orderId === id)), 15_000, "all paid");
      await waitFor(async () => (await outboxB.pending()) === 0, 5000, "the outbox to empty");
      assert.equal(ledger.counts().payments, 21);
      assert.equal(outboxB.stats.published + outboxC.stats.published, 20, "each row published once");
      await outboxB.stop();
      await outboxC.stop();
    } finally {
      await consumer.stop();
      for (const link of links) await link.close();
      db.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
    }
  });
});
