import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { isWarrenError } from "../../lib/errors";
import { acceptOrder } from "../../lib/orders/accept";
import { OrderOutbox } from "../../lib/orders/outbox";
import { type Db, openDb } from "../../lib/store/db";
import { SqliteStore } from "../../lib/store/sqlite";
import { spawnCaptured } from "../helpers/child-process";
import { AMQP_URL, waitFor } from "./harness";

/**
 * The README's outbox claims on a real SQLite file and the real broker: leases of a killed process
 * are released at once, other leases only after 30 s, and failed publishes back off exponentially.
 */
interface OutboxRow {
  order_id: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number;
}

describe("outbox leases and backoff (real SQLite, real broker)", () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-outbox-"));
  const queue = `test.outbox.${process.pid}.${Date.now()}`;
  let link: BrokerLink;
  let publisher: ConfirmPublisher;
  let admin: amqp.ChannelModel;
  let channel: amqp.Channel;
  let n = 0;
  const fresh = () => {
    const dbPath = join(dir, `outbox-${n++}.db`);
    return { dbPath, db: openDb(dbPath) };
  };
  const rows = (db: Db) => db.prepare<[], OutboxRow>("SELECT * FROM outbox ORDER BY created_at").all();
  const depth = async () => (await channel.checkQueue(queue)).messageCount;

  before(async () => {
    link = await new BrokerLink({ url: AMQP_URL, name: "test-outbox-leases", queues: [queue] }).start();
    publisher = new ConfirmPublisher(link);
    await waitFor(() => publisher.ready, 10_000, "the publisher");
    admin = await amqp.connect(AMQP_URL);
    channel = await admin.createChannel();
  });
  after(async () => {
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
    await admin.close().catch(() => {});
    await link.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rows leased to a process killed with -9 are published by the next relay at once, not after 30 s", async () => {
    const { dbPath, db } = fresh();
    const holder = spawnCaptured([
      "--conditions=react-server",
      "--import",
      "tsx",
      join(import.meta.dirname, "fixtures", "outbox-holder.ts"),
      dbPath,
      queue,
      "amqp://guest:guest@127.0.0.1:9",
      "3",
    ]);
    let outbox: OrderOutbox | null = null;
    try {
      await waitFor(
        () => holder.output().includes("HELD "),
        30_000,
        `the holder to accept its orders:\n${holder.output()}`,
      );
      const held = JSON.parse(holder.output().split("HELD ")[1]?.split("\n")[0] ?? "{}") as {
        owner: string;
        ids: string[];
      };
      const leased = rows(db);
      assert.deepEqual(leased.map((r) => r.order_id).sort(), [...held.ids].sort());
      // Leased to the holder for 30 s from its accept (README: "the lease lasts 30 s").
      const now = Date.now();
      for (const r of leased) {
        assert.equal(r.lease_owner, held.owner);
        assert.ok(
          r.lease_until > now + 20_000 && r.lease_until <= now + 30_000,
          `lease until ${r.lease_until - now} ms`,
        );
      }
      await holder.stop("SIGKILL");

      const before = await depth();
      const relay = new OrderOutbox({ store: new SqliteStore(db), publisher, link, queue, sweepMs: 3_600_000 }).start();
      outbox = relay;
      await waitFor(async () => (await relay.pending()) === 0, 10_000, "the dead process's rows to be published");
      assert.equal(outbox.stats.recovered, 3, "all three taken over from the dead owner");
      assert.equal(outbox.stats.published, 3);
      await waitFor(async () => (await depth()) === before + 3, 5000, "three orders on the queue");
    } finally {
      holder.child.kill("SIGKILL");
      await outbox?.stop();
      db.close();
    }
  });

  it("a lease of a live process elsewhere holds for 30 s, then any relay takes the row", async () => {
    const { db } = fresh();
    const store = new SqliteStore(db);
    const t0 = 1_900_000_000_000;
    let now = t0;
    const row = (orderId: string, at: number) => {
      const order = { orderId, item: "book", quantity: 1, placedAt: at };
      return { order, source: "test" as const, body: JSON.stringify(order) };
    };
    // A sentinel accepted first and free, then a row leased to another host's relay, whose process
    // cannot be checked from here: only the lease's expiry frees it.
    await store.orders.accept(
      { orders: [row("free-sentinel", t0 - 1)], lease: { owner: "gone", until: 0 }, outcomes: [], at: t0 - 1 },
      (_attempts, at) => at,
    );
    await store.orders.accept(
      {
        orders: [row("leased-elsewhere", t0)],
        lease: { owner: "another-host/4242/abcd", until: t0 + 30_000 },
        outcomes: [],
        at: t0,
      },
      (_attempts, at) => at,
    );
    // Never started: only the sweeps below run, at the clock's times.
    const outbox = new OrderOutbox({ store, publisher, link, queue, sweepMs: 3_600_000, now: () => now });
    const leaseOf = (orderId: string) =>
      db
        .prepare<[string], { lease_owner: string | null }>("SELECT lease_owner FROM outbox WHERE order_id = ?")
        .get(orderId)?.lease_owner;
    try {
      now = t0 + 29_999;
      outbox.sweep(true);
      // One claim takes every due row at once: once the sentinel is published, the leased row was passed over.
      await waitFor(() => outbox.stats.published === 1, 10_000, "the sentinel published");
      // …and its confirm recorded (it leaves the outbox), so the next sweep cannot send it again.
      await waitFor(async () => (await outbox.pending()) === 1, 10_000, "the sentinel's confirm recorded");
      assert.equal(leaseOf("leased-elsewhere"), "another-host/4242/abcd", "not taken while the lease runs");
      assert.equal(outbox.stats.recovered, 1, "only the sentinel, whose owner is gone");

      now = t0 + 30_001;
      // A sweep still finishing folds this one into another round, so one call is enough.
      outbox.sweep(true);
      await waitFor(async () => (await outbox.pending()) === 0, 10_000, "the expired row to be published");
      assert.equal(outbox.stats.recovered, 2);
      assert.equal(outbox.stats.published, 2);
    } finally {
      await outbox.stop();
      db.close();
    }
  });

  it("a failing publish backs off exponentially (250 ms doubling, ±20 %, at most 5 s)", async () => {
    const { db } = fresh();
    let now = 1_900_000_000_000;
    // No queue is bound for this routing key: every mandatory publish comes back unroutable.
    const outbox = new OrderOutbox({
      store: new SqliteStore(db),
      publisher,
      link,
      queue: `${queue}.unbound`,
      sweepMs: 3_600_000,
      now: () => now,
    }).start();
    try {
      const { status } = await outbox.accept({ item: "book", quantity: 1 }, "api", 0);
      assert.equal(status, "accepted");
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 6; attempt++) {
        await waitFor(() => (rows(db)[0]?.attempts ?? 0) === attempt, 10_000, `attempt ${attempt} recorded`);
        const row = rows(db)[0] as OutboxRow;
        const delay = row.next_attempt_at - now;
        delays.push(delay);
        const expected = Math.min(5000, 250 * 2 ** attempt);
        assert.ok(delay >= expected * 0.8 - 1 && delay <= expected * 1.2 + 1, `attempt ${attempt}: ${delay} ms`);
        // The next attempt at its time (the store's contract test covers "not due before").
        now = row.next_attempt_at;
        outbox.sweep(true);
      }
      assert.equal(await outbox.pending(), 1, "a failing order stays in the outbox");
      assert.ok((delays.at(-1) ?? 0) <= 6000, `capped: ${delays.join(", ")}`);
    } finally {
      await outbox.stop();
      db.close();
    }
  });

  it("a sweep right after a confirm does not publish the row again while its outcome waits to be recorded", async () => {
    const { db } = fresh();
    // No periodic sweep: the one forced below is the only one.
    const outbox = new OrderOutbox({ store: new SqliteStore(db), publisher, link, queue, sweepMs: 3_600_000 }).start();
    try {
      await waitFor(() => publisher.ready, 10_000, "the publisher");
      const before = await depth();
      const placed = await acceptOrder({ item: "book" }, "api", outbox);
      assert.equal(placed.status, "placed");
      // The confirm is in; its outcome rides along with the next commit (up to 25 ms later). A sweep
      // now (the broker link coming back, say) sees the row still in the outbox, leased to this relay.
      outbox.sweep(true);
      // stop() waits for the sweep and every publish in flight, and records their outcomes.
      await outbox.stop();
      assert.equal(outbox.stats.published, 1, "published once");
      assert.equal((await depth()) - before, 1, "one message on the queue");
      assert.deepEqual(rows(db), [], "the outbox is empty");
    } finally {
      await outbox.stop();
      db.close();
    }
  });

  it("while shutting down, an order is refused with 503 and a plain reason, and nothing is stored", async () => {
    const { db } = fresh();
    const outbox = new OrderOutbox({ store: new SqliteStore(db), publisher, link, queue, sweepMs: 3_600_000 }).start();
    try {
      const placed = await acceptOrder({ item: "book" }, "api", outbox);
      assert.equal(placed.status, "placed");
      const stopping = outbox.stop();
      const refused = await acceptOrder({ item: "book" }, "api", outbox).then(
        () => null,
        (error: unknown) => error,
      );
      await stopping;
      assert.ok(isWarrenError(refused), `refused with a WarrenError, got ${String(refused)}`);
      const response = refused.toResponse();
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "2");
      const body = (await response.json()) as { message: string };
      assert.match(body.message, /shutting down/);
      assert.equal(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM orders").get()?.n, 1, "only the first");
    } finally {
      await outbox.stop();
      db.close();
    }
  });
});
