import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { PlacedOrder } from "../../lib/orders/types";
import { hashOrder, type PayableOrder } from "../../lib/payments/decide";
import type { HistorySample, Lease, NewOrder, RetryAt, WarrenStore } from "../../lib/store/store";
import { storeAdapters } from "../helpers/store-adapters";

/**
 * The store contract: what every backend must do, run against each adapter
 * factory: SQLite (a file per test) and PostgreSQL (the machine's server: a
 * database per run, dropped after, and a schema per test).
 */
const adapters = storeAdapters("contract");

const placed = (orderId: string, placedAt = 1000, item = "book", quantity = 1): PlacedOrder => ({
  orderId,
  item,
  quantity,
  placedAt,
});
const newOrder = (orderId: string, placedAt = 1000): NewOrder => {
  const order = placed(orderId, placedAt);
  return { order, source: "test", body: JSON.stringify(order) };
};
const payable = (orderId: string, item = "book", quantity = 1): PayableOrder => ({
  orderId,
  item,
  quantity,
  placedAt: 1000,
  bodyHash: hashOrder(orderId, item, quantity),
});
const lease = (owner: string, until: number): Lease => ({ owner, until });
/**
 * A lease that ran out already, by any clock: PostgreSQL grants and judges leases by its own clock
 * and counts `until` from the call's `at` (machines' clocks may disagree), SQLite by the caller's.
 * Tests whose lease must run out while they watch use real time (Date.now() and a short lease).
 */
const ranOut = (owner: string): Lease => lease(owner, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A time PostgreSQL moved into the caller's clock: within a few ms of what the caller would compute. */
const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 500, `${what}: ${actual} is not near ${expected}`);
const retryIn =
  (ms: number): RetryAt =>
  (_attempts, at) =>
    at + ms;
const none = new Set<string>();
/**
 * since()/head() on PostgreSQL serve a payment once every transaction older than it has ended,
 * anywhere on the server (other databases' too): on a shared server that can take a moment.
 */
const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  let value = await read();
  for (let i = 0; i < 200 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
};

/** since(seq) once it serves `count` rows, or what it serves after 20 s (a reader polls; it does not give up). */
async function visibleSince(store: WarrenStore, seq: number, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await store.payments.since(seq);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const adapter of adapters) {
  describe(`store contract: ${adapter.name}`, { skip: adapter.skip }, () => {
    let store: WarrenStore;
    beforeEach(async () => {
      store = await adapter.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("accepts orders into the outbox, leased to the accepting relay, in one batch", async () => {
      await store.orders.accept(
        { orders: [newOrder("a"), newOrder("b")], lease: lease("relay-1", 5000), outcomes: [], at: 1000 },
        retryIn(100),
      );
      await store.durable();
      assert.equal(await store.orders.pending(), 2);
      // The oldest's time in the clock of the caller (now 1000 here): PostgreSQL dates rows by its own.
      const backlog = await store.orders.backlog(1000);
      assert.equal(backlog.pending, 2);
      near(backlog.oldestCreatedAt ?? undefined, 1000, "the oldest row's acceptance");
      assert.deepEqual(await store.orders.leaseOwners(4000), ["relay-1"]);
      const trace = await store.trace.order("a");
      assert.equal(trace?.status, "in-flight");
      assert.equal(trace?.hops[0]?.kind, "placed");
      // Another relay cannot take leased rows; the owner itself can (its sweep after a restart of the channel).
      const other = await store.orders.claimDue({
        dueBy: 2000,
        at: 2000,
        limit: 10,
        lease: lease("relay-2", 9000),
        exclude: none,
      });
      assert.deepEqual(other, []);
      const own = await store.orders.claimDue({
        dueBy: 2000,
        at: 2000,
        limit: 10,
        lease: lease("relay-1", 9000),
        exclude: new Set(["b"]),
      });
      assert.deepEqual(
        own.map((row) => [row.orderId, row.previousOwner, JSON.parse(row.body).orderId]),
        [["a", "relay-1", "a"]],
      );
    });

    it("keeps the placing request's traceparent with the outbox row and the order (distributed tracing)", async () => {
      const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      await store.orders.accept(
        {
          orders: [{ ...newOrder("traced"), traceparent }, newOrder("untraced")],
          lease: ranOut("dead"),
          outcomes: [],
          at: 10,
        },
        retryIn(100),
      );
      // Another relay, after the first one died: the row still carries the request's trace.
      const rows = await store.orders.claimDue({
        dueBy: 600,
        at: 600,
        limit: 10,
        lease: lease("me", 9000),
        exclude: none,
      });
      assert.deepEqual(rows.map((row) => [row.orderId, row.traceparent]).sort(), [
        ["traced", traceparent],
        ["untraced", null],
      ]);
      assert.equal((await store.trace.order("traced"))?.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
      assert.equal((await store.trace.order("untraced"))?.traceId, null);
    });

    it("hands rows to another relay once the lease runs out or is released, oldest first", async () => {
      // Real time: the lease of "dead" runs out while the test waits (see ranOut).
      const t = Date.now();
      await store.orders.accept(
        { orders: [newOrder("old", t)], lease: lease("dead", t + 1000), outcomes: [], at: t },
        retryIn(100),
      );
      await store.orders.accept(
        { orders: [newOrder("new", t + 1)], lease: lease("alive", t + 5000), outcomes: [], at: t + 1 },
        retryIn(100),
      );
      const early = Date.now();
      assert.deepEqual(
        await store.orders.claimDue({
          dueBy: early,
          at: early,
          limit: 10,
          lease: lease("me", early + 9000),
          exclude: none,
        }),
        [],
        "both leases run",
      );
      // Counted from when the store wrote it (PostgreSQL's clock): a little after `t`. The windows
      // are a second wide: a loaded 2-core CI box can take a few hundred ms between two statements.
      await sleep(1200);
      const at = Date.now();
      const expired = await store.orders.claimDue({
        dueBy: at,
        at,
        limit: 10,
        lease: lease("me", at + 9000),
        exclude: none,
      });
      assert.deepEqual(
        expired.map((row) => [row.orderId, row.previousOwner]),
        [["old", "dead"]],
      );
      await store.orders.releaseLeases("alive");
      const released = await store.orders.claimDue({
        dueBy: at,
        at,
        limit: 10,
        lease: lease("me", at + 9000),
        exclude: new Set(["old"]),
      });
      assert.deepEqual(
        released.map((row) => row.orderId),
        ["new"],
      );
      assert.deepEqual(await store.orders.leaseOwners(Date.now()), ["me"]);
    });

    it("records publish outcomes: a confirm empties the row, a failure backs off until its retry time", async () => {
      // Real time: the backoff runs out while the test waits (PostgreSQL counts it by its own clock).
      const t = Date.now();
      await store.orders.accept(
        { orders: [newOrder("ok", t), newOrder("ko", t)], lease: lease("r", t + 30_000), outcomes: [], at: t },
        retryIn(100),
      );
      await store.orders.recordOutcomes(
        [
          { kind: "confirmed", orderId: "ok", at: t + 1 },
          { kind: "failed", orderId: "ko", error: "no route", at: t + 1 },
        ],
        (attempts, at) => at + attempts * 1000,
      );
      assert.equal(await store.orders.pending(), 1);
      assert.equal((await store.trace.order("ok"))?.hops.find((h) => h.kind === "confirmed")?.at, t + 1);
      // Released by the failure (lease 0), but not due before 1 × 1000 ms after it.
      const at = Date.now();
      const early = await store.orders.claimDue({
        dueBy: at,
        at,
        limit: 10,
        lease: lease("r2", at + 9000),
        exclude: none,
      });
      assert.deepEqual(early, []);
      await sleep(1200);
      const later = Date.now();
      const due = await store.orders.claimDue({
        dueBy: later,
        at: later,
        limit: 10,
        lease: lease("r2", later + 9000),
        exclude: none,
      });
      assert.deepEqual(
        due.map((row) => row.orderId),
        ["ko"],
      );
      // Outcomes can ride along with the next batch of orders, in the same transaction.
      await store.orders.accept(
        {
          orders: [newOrder("next", 3000)],
          lease: lease("r2", 9000),
          outcomes: [{ kind: "confirmed", orderId: "ko", at: 3000 }],
          at: 3000,
        },
        retryIn(100),
      );
      assert.equal(await store.orders.pending(), 1);
      assert.equal((await store.trace.order("ko"))?.status, "in-flight");
    });

    it("pays an order once: a repeat is a duplicate, another body under the same id a conflict", async () => {
      const outcomes = await store.payments.recordBatch([
        { order: payable("p1"), messageId: "m1", redelivered: false, deliveredAt: 1500 },
        { order: payable("p1"), messageId: "m1", redelivered: true },
        { order: payable("p1", "laptop"), messageId: "m2", redelivered: false },
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ["paid", "duplicate", "conflict"],
      );
      await store.durable();
      assert.deepEqual(await store.payments.counts(), { payments: 1, duplicates: 1 });
      const [payment] = await store.payments.recent(10);
      assert.equal(payment?.orderId, "p1");
      assert.equal(payment?.item, "book");
      assert.deepEqual(await store.payments.since(payment?.seq ?? 0), []);
      // On PostgreSQL a row is served once every older transaction on the server has ended
      // (pg_snapshot_xmin is server-wide): another client's open transaction delays it, never hides it.
      assert.equal((await visibleSince(store, 0, 1)).length, 1);
    });

    it("records what a third-party producer may send: a NUL in a message id or a reason", async () => {
      const [outcome] = await store.payments.recordBatch([
        { order: payable("nul-1"), messageId: "m\u0000id", redelivered: false },
      ]);
      assert.equal(outcome?.kind, "paid");
      await store.payments.recordDeadLetter("bad\u0000id", "nul-2", "schema: \u0000 in a field", false);
      await store.payments.recordAcks([{ messageId: "m\u0000id", at: Date.now() }]);
      assert.equal((await store.trace.order("nul-2"))?.status, "dead-lettered");
      await store.audit.append({ actor: "viewer", action: "x\u0000", result: "denied", message: "\u0000" });
      assert.equal(await store.audit.count(), 1);
    });

    it("writes an ack time by the delivery row the ledger named (SQLite), else by the message id", async () => {
      const [paid] = await store.payments.recordBatch([
        { order: payable("ack-row-1"), messageId: "m-ack-row-1", redelivered: false, deliveredAt: 1020 },
      ]);
      assert.equal(paid?.kind, "paid");
      // SQLite knows the row it wrote, and writes the ack by it: the message id is then not read.
      if (adapter.name === "sqlite") assert.equal(typeof paid?.deliveryId, "number", "SQLite names the delivery row");
      const ackedAt = Date.now() + 5;
      await store.payments.recordAcks([
        paid?.deliveryId === undefined
          ? { messageId: "m-ack-row-1", at: ackedAt }
          : { messageId: "not-its-message-id", deliveryId: paid.deliveryId, at: ackedAt },
      ]);
      const [hop] = await store.timing.hopsOf(["ack-row-1"]);
      assert.equal(hop?.ackedAt, ackedAt);
      // A dead-letter copy's ack: by the row SQLite names, else by message id (its newest row).
      const deadRow = await store.payments.recordDeadLetter("m-dead-1", "dead-1", "schema: no item", false);
      if (adapter.name === "sqlite") assert.equal(typeof deadRow, "number", "SQLite names the dead letter's row");
      await store.payments.recordAcks([
        deadRow === undefined
          ? { messageId: "m-dead-1", at: ackedAt + 1 }
          : { messageId: "not-its-message-id", deliveryId: deadRow, at: ackedAt + 1 },
      ]);
      const dead = await store.trace.order("dead-1");
      assert.equal(dead?.status, "dead-lettered");
      assert.ok(
        dead?.hops.some((h) => h.kind === "acked"),
        `the dead letter's ack is in its trace: ${JSON.stringify(dead?.hops)}`,
      );
    });

    it("reads each paid order's stage times, for a list of orders and for a window by paid time", async () => {
      await store.orders.accept(
        { orders: [newOrder("hop-1"), newOrder("hop-2")], lease: lease("r", 2000), outcomes: [], at: 1000 },
        retryIn(1),
      );
      await store.orders.recordOutcomes([{ kind: "confirmed", orderId: "hop-1", at: 1010 }], retryIn(1));
      const before = Date.now();
      await store.payments.recordBatch([
        { order: payable("hop-1"), messageId: "m-hop-1", redelivered: false, deliveredAt: 1020 },
        { order: payable("ext-1"), messageId: "m-ext-1", redelivered: false, deliveredAt: 1030 },
      ]);
      const ackedAt = Date.now() + 5;
      await store.payments.recordAcks([{ messageId: "m-hop-1", at: ackedAt }]);
      const [hop1] = await store.timing.hopsOf(["hop-1", "hop-2", "nobody"]);
      assert.equal((await store.timing.hopsOf(["hop-1", "hop-2", "nobody"])).length, 1, "only paid orders");
      assert.equal(hop1?.orderId, "hop-1");
      assert.equal(hop1?.placedAt, 1000);
      assert.equal(hop1?.confirmedAt, 1010);
      assert.equal(hop1?.deliveredAt, 1020);
      assert.ok((hop1?.paidAt ?? 0) >= before);
      assert.equal(hop1?.ackedAt, ackedAt);
      assert.equal(Boolean(hop1?.external), false, "an order of ours is not external");
      // An external producer's order: no orders row, its placed time is the message's; no confirm.
      const [ext] = await store.timing.hopsOf(["ext-1"]);
      assert.equal(
        Boolean(ext?.external),
        true,
        "no orders row: external (the hop observer need not wait for a confirm)",
      );
      assert.equal(ext?.confirmedAt, null);
      assert.equal(ext?.placedAt, 1000);
      assert.equal(ext?.ackedAt, null);
      // The hop observer's read: the order rows' intake and confirm times only; none for another producer's.
      assert.deepEqual(await store.timing.orderTimesOf(["hop-1", "ext-1", "nobody"]), [
        { orderId: "hop-1", placedAt: 1000, confirmedAt: 1010 },
      ]);
      assert.deepEqual(await store.timing.orderTimesOf(["hop-2"]), [
        { orderId: "hop-2", placedAt: 1000, confirmedAt: null },
      ]);
      assert.deepEqual(await store.timing.orderTimesOf([]), []);
      const window = await store.timing.paidSince(before - 1, 100);
      assert.equal(window.total, 2);
      assert.deepEqual(window.rows.map((r) => r.orderId).sort(), ["ext-1", "hop-1"]);
      assert.deepEqual(await store.timing.paidSince(Date.now() + 60_000, 100), { total: 0, rows: [] });
      // More payments than the sample: an even spread, and the window's size from the sequence.
      await store.payments.recordBatch(
        Array.from({ length: 30 }, (_, i) => ({
          order: payable(`many-${i}`),
          messageId: `m-many-${i}`,
          redelivered: false,
          deliveredAt: 1040,
        })),
      );
      const sampled = await store.timing.paidSince(before - 1, 8);
      assert.equal(sampled.total, 32);
      assert.equal(sampled.rows.length, 8);
    });

    it("absorbs duplicates and conflicts by cause: redelivery, outbox re-publish, producer resend, client retry", async () => {
      await store.orders.accept(
        { orders: [newOrder("warren-1"), newOrder("repub-1")], lease: ranOut("r"), outcomes: [], at: 1000 },
        retryIn(1),
      );
      // repub-1's row is claimed again (its confirm was not recorded): a second publish.
      const claimed = await store.orders.claimDue({
        dueBy: 3000,
        at: 3000,
        limit: 10,
        lease: lease("r2", 9000),
        exclude: new Set(["warren-1"]),
      });
      assert.deepEqual(
        claimed.map((r) => r.orderId),
        ["repub-1"],
      );
      const first = await store.payments.recordBatch(
        ["warren-1", "repub-1", "ext-1"].map((id) => ({
          order: payable(id),
          messageId: `m-${id}`,
          redelivered: false,
        })),
      );
      assert.deepEqual(
        first.map((o) => o.kind),
        ["paid", "paid", "paid"],
      );
      const again = await store.payments.recordBatch([
        { order: payable("warren-1"), messageId: "m-warren-1", redelivered: true },
        { order: payable("repub-1"), messageId: "m-repub-1b", redelivered: false },
        { order: payable("ext-1"), messageId: "m-ext-1b", redelivered: false },
        { order: payable("ext-1", "tea", 9), messageId: "m-ext-1c", redelivered: false },
        { order: payable("warren-1"), messageId: "m-warren-1c", redelivered: false },
      ]);
      assert.deepEqual(
        again.map((o) => (o.kind === "paid" ? "paid" : `${o.kind}:${o.cause}`)),
        [
          "duplicate:broker_redelivery",
          "duplicate:outbox_republish",
          "duplicate:producer_resend",
          "conflict:producer_resend",
          "duplicate:producer_resend",
        ],
      );
      await store.timing.recordClientRetry({ orderId: "warren-1", at: Date.now() });
      const rows = await store.timing.absorbedSince(0);
      const byCause = new Map<string, number>();
      for (const row of rows) {
        assert.equal(row.minute % 60_000, 0);
        byCause.set(`${row.cause}/${row.kind}`, (byCause.get(`${row.cause}/${row.kind}`) ?? 0) + row.count);
      }
      assert.deepEqual(Object.fromEntries([...byCause].sort()), {
        "broker_redelivery/duplicate": 1,
        "client_retry/duplicate": 1,
        "outbox_republish/duplicate": 1,
        "producer_resend/conflict": 1,
        "producer_resend/duplicate": 2,
      });
      assert.deepEqual(await store.timing.absorbedSince(Date.now() + 120_000), []);
      // The trace shows the absorbed client retry as its own hop.
      const trace = await store.trace.order("warren-1");
      assert.equal(trace?.hops.filter((h) => h.kind === "client-retry").length, 1);
    });

    it("gives a second copy in the same delivery batch the same cause as in a later batch", async () => {
      await store.orders.accept(
        { orders: [newOrder("repub-2")], lease: ranOut("r"), outcomes: [], at: 1000 },
        retryIn(1),
      );
      await store.orders.claimDue({ dueBy: 3000, at: 3000, limit: 10, lease: lease("r2", 9000), exclude: none });
      const outcomes = await store.payments.recordBatch([
        { order: payable("repub-2"), messageId: "m-repub-2", redelivered: false },
        { order: payable("repub-2"), messageId: "m-repub-2b", redelivered: false },
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.kind === "paid" ? "paid" : `${o.kind}:${o.cause}`)),
        ["paid", "duplicate:outbox_republish"],
      );
    });

    it("traces deliveries, acks and dead letters, and finds orders by id tail, item and status", async () => {
      await store.orders.accept(
        { orders: [newOrder("trace-1")], lease: lease("r", 2000), outcomes: [], at: 1000 },
        retryIn(1),
      );
      await store.orders.recordOutcomes([{ kind: "confirmed", orderId: "trace-1", at: 1010 }], retryIn(1));
      await store.payments.recordBatch([
        { order: payable("trace-1"), messageId: "trace-1", redelivered: false, deliveredAt: 1020 },
      ]);
      // Paid at the commit (now): the ack comes after it.
      await store.payments.recordAcks([{ messageId: "trace-1", at: Date.now() + 1000 }]);
      await store.payments.recordDeadLetter("bad-1", "trace-2", "schema: item is required", false);
      const trace = await store.trace.order("trace-1");
      assert.equal(trace?.status, "paid");
      assert.deepEqual(
        trace?.hops.map((h) => h.kind).filter((k) => k !== "confirmed"),
        ["placed", "delivered", "paid", "acked"],
      );
      assert.equal((await store.trace.order("trace-2"))?.status, "dead-lettered");
      assert.equal(await store.trace.order("nobody"), null);
      assert.deepEqual(
        (await store.trace.search({ q: "…ce-1" })).map((s) => s.orderId),
        ["trace-1"],
      );
      assert.deepEqual(
        (await store.trace.search({ status: "dead-lettered" })).map((s) => s.orderId),
        ["trace-2"],
      );
    });

    it("health reads: confirmed orders neither paid nor dead-lettered, counts and the last delivery", async () => {
      await store.orders.accept(
        {
          orders: [newOrder("h1", 100), newOrder("h2", 200), newOrder("h3", 300)],
          lease: lease("r", 9000),
          outcomes: [],
          at: 100,
        },
        retryIn(1),
      );
      await store.orders.recordOutcomes(
        [
          { kind: "confirmed", orderId: "h1", at: 1000 },
          { kind: "confirmed", orderId: "h2", at: 2000 },
          { kind: "confirmed", orderId: "h3", at: 3000 },
        ],
        retryIn(1),
      );
      assert.equal(await store.health.lastDeliveryId(), 0);
      await store.payments.recordBatch([{ order: payable("h2"), messageId: "h2", redelivered: false }]);
      await store.payments.recordDeadLetter("bad", "h3", "schema", false);
      const unresolved = await store.health.unresolvedBefore(5000, 10);
      assert.deepEqual(
        unresolved.map((o) => [o.orderId, o.confirmedAt]),
        [["h1", 1000]],
      );
      assert.equal(await store.health.countUnresolvedBefore(5000), 1);
      assert.equal(await store.health.countUnresolvedBefore(1000), 0, "confirmed at the cutoff is not before it");
      assert.deepEqual(
        (await store.health.unresolvedBetween(1000, 2500)).map((o) => o.orderId),
        ["h1"],
      );
      assert.deepEqual([...(await store.health.stillUnresolved(["h1", "h2", "h3", "nobody"]))], ["h1"]);
      assert.deepEqual(await store.health.placedAndPaid(), { placed: 3, paid: 1 });
      assert.ok((await store.health.lastDeliveryId()) >= 2, "two deliveries recorded");
    });

    it("books reads: orders after a keyset cursor, and each order's outbox/paid/dead-lettered standing", async () => {
      await store.orders.accept(
        {
          orders: [newOrder("b1", 100), newOrder("b2", 100), newOrder("b3", 200), newOrder("b4", 300)],
          lease: lease("r", 9000),
          outcomes: [],
          at: 100,
        },
        retryIn(1),
      );
      const ids = (rows: Array<{ orderId: string }>) => rows.map((row) => row.orderId);
      assert.deepEqual(ids(await store.health.ordersAfter(null, 10)), ["b1", "b2", "b3", "b4"]);
      // Paging: each page starts after the last row of the one before, none skipped or seen twice.
      const [first] = await store.health.ordersAfter(null, 1);
      assert.equal(first?.orderId, "b1");
      const second = await store.health.ordersAfter(first ?? null, 2);
      assert.deepEqual(ids(second), ["b2", "b3"]);
      const last = (await store.health.ordersAfter(second.at(-1) ?? null, 2)).at(-1);
      assert.equal(last?.orderId, "b4");
      assert.deepEqual(await store.health.ordersAfter(last ?? null, 2), []);
      // Another web process's order, placed before everything read so far (its clock, or its
      // commit, came later): it is still new to the books, not behind their cursor.
      await store.orders.accept(
        { orders: [newOrder("b0", 50)], lease: lease("r2", 9000), outcomes: [], at: 50 },
        retryIn(1),
      );
      assert.deepEqual(ids(await store.health.ordersAfter(last ?? null, 2)), ["b0"]);
      await store.orders.recordOutcomes(
        [
          { kind: "confirmed", orderId: "b2", at: 1000 },
          { kind: "confirmed", orderId: "b3", at: 1000 },
          { kind: "confirmed", orderId: "b4", at: 1000 },
        ],
        retryIn(1),
      );
      await store.payments.recordBatch([{ order: payable("b2"), messageId: "b2", redelivered: false }]);
      await store.payments.recordDeadLetter("bad", "b3", "schema", false);
      const states = await store.health.bookStates(["b1", "b2", "b3", "b4", "nobody"]);
      const byId = new Map(states.map((s) => [s.orderId, s]));
      assert.equal(states.length, 4, "unknown ids are left out");
      assert.deepEqual(byId.get("b1"), {
        orderId: "b1",
        placedAt: 100,
        confirmedAt: null,
        inOutbox: true,
        payments: 0,
        deadLettered: false,
      });
      assert.deepEqual(
        [byId.get("b2"), byId.get("b3"), byId.get("b4")].map((s) => [
          s?.inOutbox,
          s?.payments,
          s?.deadLettered,
          s?.confirmedAt,
        ]),
        [
          [false, 1, false, 1000],
          [false, 0, true, 1000],
          [false, 0, false, 1000],
        ],
      );
      assert.deepEqual(await store.health.bookStates([]), []);
    });

    it("outbox detail: backlog, backoff state and who holds each lease", async () => {
      assert.deepEqual(await store.health.outboxDetail(0, 10), {
        waiting: 0,
        oldestAt: null,
        retrying: 0,
        maxAttempts: 0,
        owners: [],
        oldest: [],
      });
      // Real time: web-2's lease runs out while the test waits; PostgreSQL keeps lease, retry and
      // creation times in its own clock and shows them in the caller's, to within a few ms.
      const t = Date.now();
      await store.orders.accept(
        { orders: [newOrder("o1", t), newOrder("o2", t)], lease: lease("web-1", t + 5000), outcomes: [], at: t },
        retryIn(1),
      );
      await store.orders.accept(
        { orders: [newOrder("o3", t + 1)], lease: lease("web-2", t + 1000), outcomes: [], at: t + 1 },
        retryIn(1),
      );
      await store.orders.recordOutcomes(
        [{ kind: "failed", orderId: "o1", error: "broker away", at: t + 2 }],
        retryIn(2000),
      );
      await sleep(1300);
      const detail = await store.health.outboxDetail(Date.now(), 2);
      assert.deepEqual([detail.waiting, detail.retrying, detail.maxAttempts], [3, 1, 1]);
      near(detail.oldestAt ?? undefined, t, "the oldest row's acceptance");
      // A failed row is given up for any relay; web-2's lease ran out: neither is held.
      assert.deepEqual(
        detail.owners.map((o) => [o.owner, o.rows]),
        [["web-1", 1]],
      );
      near(detail.owners[0]?.until, t + 5000, "web-1's lease");
      const [o1, o2] = detail.oldest;
      assert.deepEqual(
        { ...o1, createdAt: 0, nextAttemptAt: 0 },
        {
          orderId: "o1",
          createdAt: 0,
          attempts: 1,
          nextAttemptAt: 0,
          leaseOwner: null,
          leaseUntil: 0,
          lastError: "broker away",
        },
      );
      near(o1?.createdAt, t, "o1's acceptance");
      near(o1?.nextAttemptAt, t + 2 + 2000, "o1's retry");
      assert.deepEqual(
        { ...o2, createdAt: 0, nextAttemptAt: 0, leaseUntil: 0 },
        {
          orderId: "o2",
          createdAt: 0,
          attempts: 0,
          nextAttemptAt: 0,
          leaseOwner: "web-1",
          leaseUntil: 0,
          lastError: null,
        },
      );
      near(o2?.createdAt, t, "o2's acceptance");
      near(o2?.nextAttemptAt, t, "o2 due since its accept");
      near(o2?.leaseUntil, t + 5000, "o2's lease");
      assert.equal((await store.health.outboxDetail(Date.now(), 10)).oldest[2]?.leaseOwner, null);
    });

    it("appends audit entries and reads them newest first, by target and by action prefix", async () => {
      const first = await store.audit.append({
        actor: "operator#abc",
        action: "queues.purge",
        target: "q1",
        result: "ok",
        at: 1,
      });
      await store.audit.append({
        actor: "viewer",
        action: "dead-letters.redrive",
        target: "q1.dlq",
        result: "denied",
        details: { ids: 3 },
        at: 2,
      });
      await store.audit.append({
        actor: "operator#abc",
        action: "dead_letters_x",
        target: "q2",
        result: "error",
        at: 3,
      });
      assert.equal(typeof first, "number");
      assert.equal(await store.audit.count(), 3);
      assert.deepEqual(
        (await store.audit.recent(2)).map((e) => e.action),
        ["dead_letters_x", "dead-letters.redrive"],
      );
      assert.deepEqual(
        (await store.audit.recent(10, 2)).map((e) => e.action),
        ["queues.purge"],
      );
      assert.deepEqual(
        (await store.audit.byActionPrefix("dead-letters.", 10)).map((e) => e.details),
        [{ ids: 3 }],
      );
      // "_" in a prefix is a character, not a wildcard ("dead-letters" must not match).
      assert.deepEqual(
        (await store.audit.byActionPrefix("dead_letters", 10)).map((e) => e.action),
        ["dead_letters_x"],
      );
      assert.deepEqual(
        (await store.audit.forTarget("q1", 10)).map((e) => e.actor),
        ["operator#abc"],
      );
    });

    it("head(): since(head()) holds only payments recorded after it was read", async () => {
      assert.equal(await store.payments.head(), 0);
      await store.payments.recordBatch([{ order: payable("hd1"), messageId: "hd1", redelivered: false }]);
      const [first] = await store.payments.recent(1);
      const head = await eventually(
        () => store.payments.head(),
        (seq) => seq !== 0,
      );
      assert.equal(head, first?.seq);
      assert.deepEqual(await store.payments.since(head), []);
      await store.payments.recordBatch([{ order: payable("hd2"), messageId: "hd2", redelivered: false }]);
      const after = await eventually(
        () => store.payments.since(head),
        (rows) => rows.length > 0,
      );
      assert.deepEqual(
        after.map((p) => p.orderId),
        ["hd2"],
      );
    });

    it("accounts: a user per name whatever its case; a taken name gives null", async () => {
      const alice = await store.accounts.addUser("alice", "operator", "hash-a", "cli", 1000);
      assert.ok(alice);
      assert.equal(alice.name, "alice");
      assert.equal(alice.role, "operator");
      assert.equal(alice.disabled, false);
      assert.equal(await store.accounts.addUser("ALICE", "viewer", "x", "cli"), null);
      assert.equal((await store.accounts.userByName("Alice"))?.id, alice.id);
      assert.equal((await store.accounts.userById(alice.id))?.passwordHash, "hash-a");
      assert.equal(await store.accounts.userById(alice.id + 1000), null);
      await store.accounts.addUser("Bob", "viewer", "hash-b", "env", 1001);
      assert.deepEqual(
        (await store.accounts.users()).map((u) => [u.name, u.source]),
        [
          ["alice", "cli"],
          ["Bob", "env"],
        ],
      );
      assert.equal(await store.accounts.countEnabledUsers(), 2);
      await store.accounts.setRole(alice.id, "admin");
      assert.equal((await store.accounts.userByName("alice"))?.role, "admin");
    });

    it("sessions: found with their user, touched, revoked once; a new password or disabling ends them all", async () => {
      const carol = await store.accounts.addUser("carol", "operator", "h1", "cli", 1000);
      assert.ok(carol);
      for (const [id, at] of [
        ["s1", 2000],
        ["s2", 3000],
        ["s3", 4000],
      ] as const) {
        await store.accounts.createSession({ id, userId: carol.id, createdAt: at, client: "1.2.3.4", userAgent: "ua" });
      }
      const s1 = await store.accounts.sessionWithUser("s1");
      assert.deepEqual(s1, {
        id: "s1",
        userId: carol.id,
        createdAt: 2000,
        lastSeenAt: 2000,
        revokedAt: null,
        client: "1.2.3.4",
        userAgent: "ua",
        user: { id: carol.id, name: "carol", role: "operator", disabled: false },
      });
      assert.equal(await store.accounts.sessionWithUser("nope"), null);
      await store.accounts.touchSession("s1", 2500);
      assert.equal((await store.accounts.sessionWithUser("s1"))?.lastSeenAt, 2500);
      assert.deepEqual(
        (await store.accounts.sessionsOf(carol.id)).map((s) => s.id),
        ["s3", "s2", "s1"],
      );
      assert.equal(await store.accounts.revokeSession("s3", 5000), true);
      assert.equal(await store.accounts.revokeSession("s3", 5001), false);
      assert.equal((await store.accounts.sessionWithUser("s3"))?.revokedAt, 5000);
      await store.accounts.setPassword(carol.id, "h2", 6000);
      assert.equal((await store.accounts.userById(carol.id))?.passwordHash, "h2");
      assert.deepEqual(await store.accounts.sessionsOf(carol.id), []);
      await store.accounts.createSession({
        id: "s4",
        userId: carol.id,
        createdAt: 7000,
        client: null,
        userAgent: null,
      });
      await store.accounts.setDisabled(carol.id, true, 8000);
      assert.equal((await store.accounts.sessionWithUser("s4"))?.revokedAt, 8000);
      assert.equal((await store.accounts.sessionWithUser("s4"))?.user.disabled, true);
      assert.equal(await store.accounts.countEnabledUsers(), 0);
      await store.accounts.setDisabled(carol.id, false);
      assert.equal(await store.accounts.countEnabledUsers(), 1);
      await store.accounts.createSession({
        id: "s5",
        userId: carol.id,
        createdAt: 9000,
        client: null,
        userAgent: null,
      });
      await store.accounts.createSession({
        id: "s6",
        userId: carol.id,
        createdAt: 9500,
        client: null,
        userAgent: null,
      });
      assert.equal(await store.accounts.revokeUserSessions(carol.id, 9600), 2);
      // Pruning forgets sessions revoked or unused before the cut-off; none of carol's ended after 9600.
      assert.equal(await store.accounts.pruneSessions(9700), 6);
      assert.equal(await store.accounts.sessionWithUser("s1"), null);
    });

    it("pipeline state: none until written; each change keeps the other field and bumps the version", async () => {
      assert.equal(await store.pipeline.read("q"), null);
      const paused = await store.pipeline.write("q", { paused: true }, { at: 100, by: "op" });
      assert.deepEqual(paused, {
        queue: "q",
        paused: true,
        prefetch: null,
        version: 1,
        updatedAt: 100,
        updatedBy: "op",
      });
      const prefetch = await store.pipeline.write("q", { prefetch: 25 }, { at: 200, by: null });
      assert.deepEqual(prefetch, {
        queue: "q",
        paused: true,
        prefetch: 25,
        version: 2,
        updatedAt: 200,
        updatedBy: null,
      });
      await store.pipeline.write("q", { paused: false }, { at: 300, by: "op2" });
      assert.deepEqual(await store.pipeline.read("q"), {
        queue: "q",
        paused: false,
        prefetch: 25,
        version: 3,
        updatedAt: 300,
        updatedBy: "op2",
      });
      assert.equal(await store.pipeline.read("other"), null, "one row per order queue");
    });

    it("limits: limiters of one prefix count together in the store; expired counters are pruned, live ones kept", async () => {
      const errors: unknown[] = [];
      const a = store.limits.limiter({ keyPrefix: "t", points: 3, duration: 60, onStoreError: (e) => errors.push(e) });
      const b = store.limits.limiter({ keyPrefix: "t", points: 3, duration: 60 });
      assert.equal((await a.consume("k")).remainingPoints, 2);
      assert.equal((await b.consume("k")).remainingPoints, 1, "b counts on a's row");
      assert.equal((await a.get("k"))?.consumedPoints, 2);
      await b.block("k", 30);
      const refusal = await a.consume("k").then(
        () => null,
        (r: unknown) => r,
      );
      assert.ok(refusal instanceof RateLimiterRes, "a sees b's block");
      assert.ok(refusal.msBeforeNext > 25_000 && refusal.msBeforeNext <= 30_000, String(refusal.msBeforeNext));
      // Another prefix is another counter.
      const other = store.limits.limiter({ keyPrefix: "u", points: 1, duration: 60 });
      assert.equal((await other.consume("k")).remainingPoints, 0);
      const brief = store.limits.limiter({ keyPrefix: "brief", points: 5, duration: 1 });
      await brief.consume("x");
      assert.equal(await store.limits.pruneExpired(Date.now()), 0, "nothing has expired yet");
      assert.equal(await store.limits.pruneExpired(Date.now() + 2000), 1, "only the 1 s counter expires within 2 s");
      assert.equal(await brief.get("x"), null);
      assert.equal((await other.get("k"))?.consumedPoints, 1);
      assert.ok(((await a.get("k"))?.consumedPoints ?? 0) > 3, "the block is kept");
      assert.deepEqual(errors, []);
    });

    it("gives a role to one holder at a time until its lease runs out", async () => {
      // Real time: PostgreSQL judges leases by the database's clock (machines' clocks may disagree), SQLite by
      // the caller's; both agree with the caller's clock when it is this machine's.
      const ttl = 1500;
      assert.equal(await store.leadership.current("sampler"), null);
      const t0 = Date.now();
      assert.equal(await store.leadership.acquire("sampler", "a", Date.now(), ttl), true);
      // Another holder is refused while the lease runs, the holder renews it.
      assert.equal(await store.leadership.acquire("sampler", "b", Date.now(), ttl), false);
      // A moment later (on SQLite a renewal in the same millisecond would leave `until` where it was).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const renewedAt = Date.now();
      assert.equal(await store.leadership.acquire("sampler", "a", renewedAt, ttl), true);
      const held = await store.leadership.current("sampler");
      assert.equal(held?.holder, "a");
      assert.ok(held && held.until >= renewedAt + ttl - 50 && held.until <= Date.now() + ttl + 50, "renewed");
      assert.ok(held && held.until > t0 + ttl, "until moved on");
      // Roles are independent.
      assert.equal(await store.leadership.acquire("alerts", "b", Date.now(), ttl), true);
      // Expired: the next one takes it, and the old holder is refused now.
      await new Promise((resolve) => setTimeout(resolve, held.until - Date.now() + 100));
      assert.equal(await store.leadership.acquire("sampler", "b", Date.now(), ttl), true);
      assert.equal(await store.leadership.acquire("sampler", "a", Date.now(), ttl), false);
      // A release by a non-holder changes nothing; the holder's frees the role at once.
      await store.leadership.release("sampler", "a");
      assert.equal((await store.leadership.current("sampler"))?.holder, "b");
      await store.leadership.release("sampler", "b");
      assert.equal(await store.leadership.acquire("sampler", "a", Date.now(), ttl), true);
    });

    it("elects exactly one of many holders racing for a free role", async () => {
      const holders = Array.from({ length: 8 }, (_, i) => `h${i}`);
      const won = await Promise.all(holders.map((h) => store.leadership.acquire("race", h, 5000, 1000)));
      assert.equal(won.filter(Boolean).length, 1);
      assert.equal((await store.leadership.current("race"))?.holder, holders[won.indexOf(true)]);
    });

    it("opens one incident per alert key, queues its notifications, and resolves it with its own", async () => {
      const targets = [
        { id: "t1", label: "https://hooks.example/a" },
        { id: "t2", label: "slack+https://hooks.example/b" },
      ];
      const fired = await store.alerts.fire({ key: "books", rule: "books", summary: "1 lost", at: 1000, targets });
      assert.equal(fired?.key, "books");
      assert.equal(fired?.pending, 2);
      // Firing again while open changes the summary only: no second incident, no second notification.
      assert.equal(
        await store.alerts.fire({ key: "books", rule: "books", summary: "2 lost", at: 1100, targets }),
        null,
      );
      assert.deepEqual(
        (await store.alerts.firing()).map((i) => [i.key, i.summary, i.firedAt, i.resolvedAt]),
        [["books", "2 lost", 1000, null]],
      );
      // The resolution waits for the firing's delivery to the same target.
      assert.deepEqual(
        await store.alerts.resolve({ key: "books", resolution: "balanced", at: 1200, targets }),
        fired && {
          ...fired,
          summary: "2 lost",
          resolvedAt: 1200,
          resolution: "balanced",
          pending: 4,
        },
      );
      assert.equal(await store.alerts.resolve({ key: "books", resolution: "again", at: 1300, targets }), null);
      let due = await store.alerts.dueDeliveries(1200, 10);
      assert.deepEqual(
        due.map((d) => [d.event, d.target]),
        [
          ["fired", "t1"],
          ["fired", "t2"],
        ],
      );
      const [first, second] = due;
      assert.ok(first && second);
      await store.alerts.delivered(first.id, 1250);
      await store.alerts.deliveryFailed(second.id, "HTTP 503", 5000);
      due = await store.alerts.dueDeliveries(1300, 10);
      assert.deepEqual(
        due.map((d) => [d.event, d.target, d.incident.resolution]),
        [["resolved", "t1", "balanced"]],
      );
      // After its backoff the failed one is due again, with its attempt counted.
      due = await store.alerts.dueDeliveries(5000, 10);
      assert.deepEqual(
        due.map((d) => [d.event, d.target, d.attempts]),
        [
          ["resolved", "t1", 0],
          ["fired", "t2", 1],
        ],
      );
      for (const d of due) await store.alerts.delivered(d.id, 5001);
      await store.alerts.delivered(second.id, 5002); // delivered twice: no change
      due = await store.alerts.dueDeliveries(5003, 10);
      assert.deepEqual(
        due.map((d) => [d.event, d.target]),
        [["resolved", "t2"]],
      );
      // A new firing of the same key is a new incident; history lists newest first.
      await store.alerts.fire({ key: "books", rule: "books", summary: "again", at: 6000, targets: [] });
      assert.deepEqual(
        (await store.alerts.history(10)).map((i) => [i.summary, i.resolvedAt, i.delivered, i.pending]),
        [
          ["again", null, 0, 0],
          ["2 lost", 1200, 3, 1],
        ],
      );
    });

    it("keeps who sent each dead letter, grouped by reason and producer with first, last and recent counts", async () => {
      const producer = (appId: string | null, userId: string | null) => ({ group: "schema: quantity", appId, userId });
      await store.payments.recordDeadLetter("m1", null, "schema: quantity 0", false, producer("shop", "guest"));
      await store.payments.recordDeadLetter("m2", null, "schema: quantity 9", false, producer("shop", "guest"));
      await store.payments.recordDeadLetter("m3", null, "schema: quantity 1", false, producer("legacy", null));
      await store.payments.recordDeadLetter("m4", null, "no producer noted", false);
      const now = Date.now();
      const window = { minuteAgo: now - 60_000, hourAgo: now - 3_600_000 };
      const sources = await store.payments.deadLetterSources(window, 10);
      const rows = sources
        .map((s) => [s.group, s.appId, s.userId, s.count, s.lastMinute, s.lastHour, s.firstAt <= s.lastAt])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      assert.deepEqual(rows, [
        ["schema: quantity", "legacy", null, 1, 1, 1, true],
        ["schema: quantity", "shop", "guest", 2, 2, 2, true],
      ]);
      assert.equal(await store.payments.deadLettersSince(now - 60_000), 3);
      assert.equal(await store.payments.deadLettersSince(now + 60_000), 0);
      const old = await store.payments.deadLetterSources({ minuteAgo: now + 60_000, hourAgo: now + 60_000 }, 10);
      assert.deepEqual(
        old.map((s) => [s.lastMinute, s.lastHour]),
        [
          [0, 0],
          [0, 0],
        ],
      );
      // Pruning the per-message rows keeps the totals, first and last seen.
      assert.equal(await store.payments.pruneDeadLetterSources(now + 60_000), 3);
      assert.equal(await store.payments.deadLettersSince(0), 0);
      const pruned = await store.payments.deadLetterSources(window, 10);
      assert.deepEqual(
        pruned
          .map((s) => [s.appId, s.count, s.lastMinute, s.firstAt === sources.find((x) => x.appId === s.appId)?.firstAt])
          .sort(),
        [
          ["legacy", 1, 0, true],
          ["shop", 2, 0, true],
        ],
      );
    });

    const sample = (
      queue: string,
      at: number,
      ready: number | null,
      extra: Partial<HistorySample> = {},
    ): HistorySample => ({
      queue,
      at,
      ready,
      unacked: 1,
      consumers: 2,
      publish: 10,
      deliver: null,
      ack: null,
      rateSource: "derived",
      ...extra,
    });
    const TIERS = [
      { resolutionMs: 1000, keepMs: 60_000 },
      { resolutionMs: 10_000, keepMs: 600_000 },
      { resolutionMs: 60_000, keepMs: 3_600_000 },
    ];

    it("records history samples once per slot and reads them back in buckets of any step", async () => {
      const t0 = 1_000_000;
      const written = await store.history.record(
        [sample("q", t0, 4), sample("q", t0 + 1500, 6), sample("q", t0 + 1900, 99), sample("other", t0, 50)],
        1000,
      );
      // The third lands in the second's slot already taken: ignored, not a second row.
      assert.equal(written, 3);
      const fine = await store.history.read("q", t0, t0 + 10_000, 1000);
      assert.deepEqual(
        fine.map((b) => [b.at, b.ready, b.samples, b.rateSource]),
        [
          [t0, 4, 1, "derived"],
          [t0 + 1000, 6, 1, "derived"],
        ],
      );
      const wide = await store.history.read("q", t0, t0 + 10_000, 10_000);
      assert.equal(wide.length, 1);
      assert.equal(wide[0]?.ready, 5);
      assert.equal(wide[0]?.readyMax, 6);
      assert.equal(wide[0]?.deliver, null);
      assert.equal(wide[0]?.samples, 2);
    });

    it("rolls old rows into coarser buckets (averages weighted, peaks kept) and deletes past the last tier", async () => {
      const t0 = 6_000_000; // a multiple of 60 s
      // 20 one-second samples in two 10 s buckets: ready 0..9 then 10..19 (unacked unknown in one).
      await store.history.record(
        Array.from({ length: 20 }, (_, i) => sample("q", t0 + i * 1000, i, i === 3 ? { unacked: null } : {})),
        1000,
      );
      // Still within the 1 s tier's keep: nothing moves.
      assert.deepEqual(await store.history.rollup(t0 + 30_000, TIERS), { rolled: 0, deleted: 0 });
      const before = await store.history.read("q", t0, t0 + 60_000, 10_000);
      const now = t0 + 20_000 + 60_000;
      assert.deepEqual(await store.history.rollup(now, TIERS), { rolled: 20, deleted: 0 });
      assert.deepEqual(await store.history.rowCounts("q"), { 10000: 2 });
      const after = await store.history.read("q", t0, t0 + 60_000, 10_000);
      assert.deepEqual(after, before);
      assert.equal(after[0]?.ready, 4.5);
      assert.equal(after[0]?.unacked, 1);
      assert.equal(after[1]?.readyMax, 19);
      // A second rollup at the same time changes nothing (whole buckets only, never twice).
      assert.deepEqual(await store.history.rollup(now, TIERS), { rolled: 0, deleted: 0 });
      // 10 min later the 10 s rows go to one 1 min row, whose average is the 19 samples'.
      assert.deepEqual(await store.history.rollup(now + 600_000, TIERS), { rolled: 2, deleted: 0 });
      const minute = await store.history.read("q", t0, t0 + 60_000, 60_000);
      assert.equal(minute.length, 1);
      assert.equal(minute[0]?.samples, 20);
      assert.equal(minute[0]?.ready, 9.5);
      assert.equal(minute[0]?.readyMax, 19);
      // Past the last tier's keep: gone.
      assert.deepEqual(await store.history.rollup(t0 + 60_000 + 3_600_000, TIERS), { rolled: 0, deleted: 1 });
      assert.deepEqual(await store.history.rowCounts(), {});
    });

    it("merges a late sample into a bucket that was already rolled up", async () => {
      const t0 = 6_000_000;
      await store.history.record([sample("q", t0, 10), sample("q", t0 + 1000, 20)], 1000);
      await store.history.rollup(t0 + 10_000 + 60_000, TIERS);
      await store.history.record([sample("q", t0 + 2000, 60)], 1000);
      await store.history.rollup(t0 + 10_000 + 60_000, TIERS);
      const [bucket] = await store.history.read("q", t0, t0 + 10_000, 10_000);
      assert.equal(bucket?.samples, 3);
      assert.equal(bucket?.ready, 30);
      assert.equal(bucket?.readyMax, 60);
      assert.deepEqual(await store.history.rowCounts("q"), { 10000: 1 });
    });

    it("keeps a bounded list of tracked queues: pinned ones stay, the least recently viewed go with their rows", async () => {
      const opts = (pinned: boolean) => ({ pinned, maxViewed: 2 });
      assert.deepEqual(await store.history.track("own", 1, opts(true)), []);
      assert.deepEqual(await store.history.track("a", 2, opts(false)), []);
      assert.deepEqual(await store.history.track("b", 3, opts(false)), []);
      await store.history.record([sample("a", 5000, 1), sample("b", 5000, 1)], 1000);
      // "a" viewed again: "b" is now the least recently viewed.
      await store.history.track("a", 4, opts(false));
      assert.deepEqual(await store.history.track("c", 5, opts(false)), ["b"]);
      assert.deepEqual(await store.history.tracked(), ["own", "c", "a"]);
      assert.deepEqual(await store.history.rowCounts("b"), {});
      assert.deepEqual(await store.history.rowCounts("a"), { 1000: 1 });
    });
  });
}
