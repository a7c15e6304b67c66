import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { computeHealth, DeliveryRate, StuckTracker } from "../../lib/health/pipeline";
import { sqliteHealth } from "../../lib/store/sqlite/health";
import { searchOrders, traceOrder } from "../../lib/store/sqlite/trace";
import { orderDoor } from "../helpers/order-door";
import { startPipeline, waitFor } from "./harness";

describe("order trace and pipeline health (real broker, real consumer, real SQLite)", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  before(async () => {
    pipeline = await startPipeline("trace");
  });
  after(async () => {
    await pipeline.close();
  });

  it("traces an order placed → confirmed → delivered → paid → acked, each hop timed from its cause", async () => {
    const order = await pipeline.placeOrder({ item: "trace-book", quantity: 2 });
    await waitFor(
      () => traceOrder(pipeline.ledger.db, order.orderId)?.hops.some((h) => h.kind === "acked") ?? false,
      5000,
      "the ack to be recorded",
    );
    const trace = traceOrder(pipeline.ledger.db, order.orderId);
    assert.ok(trace);
    assert.equal(trace.status, "paid");
    assert.equal(trace.amountCents !== null && trace.amountCents > 0, true);
    const kinds = trace.hops.map((h) => h.kind);
    assert.deepEqual(
      kinds.filter((k) => k !== "confirmed"),
      ["placed", "delivered", "paid", "acked"],
    );
    assert.ok(kinds.includes("confirmed"));
    const byKind = Object.fromEntries(trace.hops.map((h) => [h.kind, h]));
    assert.equal(byKind.placed?.sincePreviousMs, null);
    assert.equal(byKind.delivered?.since, "placed");
    assert.equal(byKind.paid?.since, "delivered");
    assert.equal(byKind.acked?.since, "paid");
    assert.equal(byKind.confirmed?.since, "placed");
    for (const hop of trace.hops.slice(1)) assert.ok((hop.sincePreviousMs ?? -1) >= 0);
    assert.equal(trace.totalMs, (trace.paidAt ?? 0) - (trace.placedAt ?? 0));
  });

  it("shows a duplicate delivery as suppressed, and finds it by item, id prefix and status", async () => {
    const orderId = `trace-dup-${Date.now()}`;
    const body = JSON.stringify({ orderId, item: "trace-tea", quantity: 1 });
    await pipeline.send(body, { messageId: orderId });
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === orderId), 5000, "the payment");
    await pipeline.send(body, { messageId: orderId });
    await waitFor(() => (traceOrder(pipeline.ledger.db, orderId)?.duplicates ?? 0) === 1, 5000, "the duplicate");
    const trace = traceOrder(pipeline.ledger.db, orderId);
    assert.ok(trace);
    assert.equal(trace.hops.filter((h) => h.kind === "paid").length, 1);
    assert.equal(trace.hops.filter((h) => h.kind === "duplicate").length, 1);
    assert.equal(trace.hops.filter((h) => h.kind === "delivered").length, 2);
    // A raw producer's order has no "placed" row of Warren's, only the body's placedAt (absent here).
    assert.equal(trace.placedAt, null);

    assert.ok(searchOrders(pipeline.ledger.db, { q: "trace-tea" }).some((o) => o.orderId === orderId));
    assert.ok(searchOrders(pipeline.ledger.db, { q: orderId.slice(0, 12) }).some((o) => o.orderId === orderId));
    // The id's tail, as the feed and the status line show it (with or without the ellipsis).
    assert.ok(searchOrders(pipeline.ledger.db, { q: orderId.slice(-8) }).some((o) => o.orderId === orderId));
    assert.ok(searchOrders(pipeline.ledger.db, { q: `…${orderId.slice(-8)}` }).some((o) => o.orderId === orderId));
    assert.ok(searchOrders(pipeline.ledger.db, { status: "duplicates" }).some((o) => o.orderId === orderId));
    assert.ok(!searchOrders(pipeline.ledger.db, { status: "dead-lettered" }).some((o) => o.orderId === orderId));
    // LIKE wildcards in a search are taken literally.
    assert.equal(searchOrders(pipeline.ledger.db, { q: "%" }).length, 0);
  });

  it("traces a dead-lettered order with its reason", async () => {
    const orderId = `trace-dead-${Date.now()}`;
    await pipeline.send(JSON.stringify({ orderId, item: "", quantity: 1 }), { messageId: orderId });
    await pipeline.getDeadLetter();
    const dead = searchOrders(pipeline.ledger.db, { status: "dead-lettered" });
    // An invalid body has no parsed order id: the dead letter is logged without one, so it is not an order here.
    assert.equal(
      dead.some((o) => o.orderId === orderId),
      false,
    );
    const conflictId = `trace-conflict-${Date.now()}`;
    await pipeline.send(JSON.stringify({ orderId: conflictId, item: "pen", quantity: 1 }), {
      messageId: `${conflictId}-a`,
    });
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === conflictId), 5000, "the first payment");
    await pipeline.send(JSON.stringify({ orderId: conflictId, item: "pen", quantity: 9 }), {
      messageId: `${conflictId}-b`,
    });
    await pipeline.getDeadLetter();
    // The consumer logs the dead letter just after the broker confirmed the DLQ copy.
    await waitFor(
      () =>
        traceOrder(pipeline.ledger.db, conflictId)?.hops.some(
          (h) => h.kind === "dead-lettered" && /conflict/.test(h.detail ?? ""),
        ) ?? false,
      5000,
      "the conflict's dead-letter hop",
    );
    assert.equal(traceOrder(pipeline.ledger.db, conflictId)?.status, "paid", "the first payment stands");
  });

  it("health: counts, a stuck order, the drain estimate and a queue with work but no consumers", async () => {
    const db = pipeline.ledger.db;
    const now = Date.now();
    // An order the broker confirmed a minute ago that never reached the consumer (paused): placed
    // through the real door, with a clock that says it was placed 60 s and confirmed 59 s ago.
    await pipeline.consumer.pause();
    let ticks = 0;
    const oldDoor = orderDoor({
      db,
      publisher: pipeline.publisher,
      link: pipeline.publishLink,
      queue: pipeline.queue,
      now: () => (ticks++ === 0 ? now - 60_000 : now - 59_000),
    });
    const stuckOrder = await oldDoor.place({ item: "lost", quantity: 1 });
    await oldDoor.close(); // records the confirm
    const stuckId = stuckOrder.orderId;
    const reads = sqliteHealth(db);
    const health = await computeHealth({
      reads,
      sample: {
        at: now,
        broker: "up",
        queues: [
          { name: pipeline.queue, exists: true, ready: 40, unacked: 2, consumers: 0 },
          { name: `${pipeline.queue}.dlq`, exists: true, ready: 3, unacked: 0, consumers: 0 },
        ],
      },
      orderQueue: pipeline.queue,
      stuckAfterS: 30,
      ratePerS: 20,
      now,
    });
    assert.ok(health.placed >= 2);
    assert.ok(health.paid >= 3);
    assert.equal(health.inFlight, 42);
    assert.equal(health.deadLettered, 3);
    assert.deepEqual(
      health.stuck.map((s) => s.orderId),
      [stuckId],
    );
    assert.equal(health.stuck[0]?.ageS, 59);
    assert.equal(health.drain.seconds, 2);
    assert.equal(health.warnings.length, 1, "the DLQ has no consumers by design and is not warned about");
    assert.match(health.warnings[0]?.message ?? "", /40 messages ready but no consumers/);

    const later = await computeHealth({
      reads,
      sample: null,
      orderQueue: pipeline.queue,
      stuckAfterS: 120,
      ratePerS: 0,
      now,
    });
    assert.equal(later.stuckCount, 0, "not stuck yet under a longer threshold");
    assert.equal(later.drain.seconds, null);

    // The incremental tracker the live loop uses agrees with the full pass, and lets go once the order is paid.
    const tracker = new StuckTracker();
    assert.deepEqual(
      (await tracker.update(reads, now - 30_000)).stuck.map((s) => s.orderId),
      [stuckId],
    );
    assert.equal((await tracker.update(reads, now - 29_000)).count, 1);
    await pipeline.consumer.resume();
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === stuckId), 5000, "the late payment");
    assert.equal((await tracker.update(reads, now - 28_000)).count, 0);

    const rate = new DeliveryRate(reads);
    assert.equal(await rate.sample(now), 0);
    for (let i = 0; i < 5; i++) await pipeline.send(JSON.stringify({ orderId: `rate-${now}-${i}`, item: "pen" }));
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === `rate-${now}-4`), 5000, "five payments");
    assert.equal(await rate.sample(now + 1000), 5);
  });
});
