import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { BooksChecker } from "../../lib/books/checker";
import type { QueueSample } from "../../lib/events/sampler";
import { hashOrder } from "../../lib/payments/decide";
import { openSqliteStore, type SqliteStore } from "../../lib/store/sqlite";

/** The books on a real SQLite file; the queue's depth is a sample the test sets. */
const dir = mkdtempSync(join(tmpdir(), "warren-books-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const QUEUE = "orders";
const sampleOf = (messages: number | null): QueueSample => ({
  at: 0,
  broker: messages === null ? "down" : "up",
  queues: [
    messages === null
      ? { name: QUEUE, exists: false, unreachable: true, ready: null, unacked: null, consumers: null }
      : { name: QUEUE, exists: true, ready: messages, unacked: 0, consumers: 1 },
  ],
});

describe("books", () => {
  let store: SqliteStore;
  let clock = 0;
  let queue: number | null = 0;
  let checker: BooksChecker;
  beforeEach(() => {
    store = openSqliteStore(join(dir, `books-${++files}.db`));
    clock = 100_000;
    queue = 0;
    checker = new BooksChecker({
      reads: store.health,
      sampler: { latest: () => sampleOf(queue) },
      orderQueue: QUEUE,
      intervalMs: 1000,
      settleMs: 5000,
      verifyEveryMs: 0,
      now: () => clock,
    });
  });
  afterEach(() => store.close());

  const accept = async (ids: string[]) => {
    const orders = ids.map((orderId) => ({ orderId, item: "book", quantity: 1, placedAt: clock }));
    await store.orders.accept(
      {
        orders: orders.map((order) => ({ order, source: "test", body: JSON.stringify(order) })),
        lease: { owner: "r", until: clock + 60_000 },
        outcomes: [],
        at: clock,
      },
      (_n, at) => at + 1000,
    );
  };
  const confirm = (ids: string[]) =>
    store.orders.recordOutcomes(
      ids.map((orderId) => ({ kind: "confirmed" as const, orderId, at: clock })),
      (_n, at) => at,
    );
  const pay = (ids: string[]) =>
    store.payments.recordBatch(
      ids.map((orderId) => ({
        order: { orderId, item: "book", quantity: 1, placedAt: clock, bodyHash: hashOrder(orderId, "book", 1) },
        messageId: orderId,
        redelivered: false,
      })),
    );

  it("accounts every order: outbox, in flight, in the queue, paid, dead-lettered; balanced at rest", async () => {
    await accept(["a", "b", "c", "d", "e"]);
    let report = await checker.check();
    assert.deepEqual([report.accepted, report.outbox, report.difference, report.balanced], [5, 5, 0, true]);
    assert.deepEqual(
      [report.backlog?.waiting, report.backlog?.oldestAt, report.backlog?.owners],
      [5, 100_000, [{ owner: "r", rows: 5, until: 160_000 }]],
    );

    await confirm(["a", "b", "c", "d"]);
    report = await checker.check();
    assert.deepEqual([report.outbox, report.inFlight, report.waiting, report.difference], [1, 4, 0, 0]);

    await pay(["a"]);
    await store.payments.recordDeadLetter("m-b", "b", "schema: quantity", false);
    clock += 10_000;
    queue = 2; // c and d wait in the queue
    report = await checker.check();
    assert.deepEqual(
      [report.paid, report.deadLettered, report.waiting, report.queue, report.difference, report.balanced],
      [1, 1, 2, 2, 0, true],
    );
    assert.equal(report.accepted, report.outbox + report.inFlight + report.waiting + report.paid + report.deadLettered);
  });

  it("names settled orders the queue cannot hold as lost, oldest first, with their trace", async () => {
    await accept(["x", "y", "z"]);
    await confirm(["x"]);
    clock += 1000;
    await confirm(["y"]);
    clock += 10_000;
    await confirm(["z"]); // just confirmed: in flight, not missing
    queue = 1;
    const report = await checker.check();
    assert.deepEqual([report.waiting, report.inFlight, report.difference], [2, 1, 1]);
    assert.equal(report.balanced, false);
    assert.deepEqual(report.lost, [{ orderId: "x", confirmedAt: 100_000, trace: "/trace?order=x" }]);
  });

  it("says nothing about the balance while the queue cannot be read", async () => {
    await accept(["q"]);
    await confirm(["q"]);
    clock += 10_000;
    queue = null;
    const report = await checker.check();
    assert.deepEqual([report.difference, report.balanced, report.lost], [null, null, []]);
  });

  it("reads only new and unsettled orders per tick, and sees a payment row deleted behind its back", async () => {
    await accept(["p1", "p2", "p3"]);
    await confirm(["p1", "p2", "p3"]);
    await pay(["p1", "p2", "p3"]);
    clock += 10_000;
    let report = await checker.check();
    assert.deepEqual([report.paid, report.balanced], [3, true]);

    const read: string[][] = [];
    const bookStates = store.health.bookStates.bind(store.health);
    store.health.bookStates = async (ids) => {
      read.push(ids);
      return bookStates(ids);
    };
    await accept(["p4"]);
    await checker.check();
    assert.deepEqual(read, [["p4"]], "settled orders are not read again");

    store.db.prepare("DELETE FROM payments WHERE order_id = ?").run("p2");
    report = await checker.check();
    assert.equal(report.paid, 2);
    assert.deepEqual(
      report.lost.map((o) => o.orderId),
      ["p2"],
    );
    assert.equal(report.balanced, false);
  });
});
