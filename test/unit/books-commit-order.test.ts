import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { Books } from "../../lib/books/books";
import type { PostgresStore } from "../../lib/store/postgres";
import { PG_SKIP } from "../helpers/pg-database";
import { type PgStoreFixture, pgStoreWithAdmin } from "../helpers/pg-store";

/**
 * The books find new orders with a cursor. With several web processes on PostgreSQL, an order can be
 * placed first and committed last: a cursor by placed_at (as it was) had already passed it, and the
 * books never counted it, neither accepted nor paid. Here one web process's transaction stays open
 * while another's commits and is read.
 */
describe("the books count an order that commits after a later one was read (real PostgreSQL)", {
  skip: PG_SKIP,
}, () => {
  let fixture: PgStoreFixture;
  let store: PostgresStore;
  let slowWriter: pg.Client;

  before(async () => {
    fixture = await pgStoreWithAdmin("warren_books_order");
    ({ store, admin: slowWriter } = fixture);
  });
  after(() => fixture?.close());

  it("serves it once it commits, behind nothing the books already passed", async () => {
    const books = new Books(store.health, { settleMs: 60_000 });
    // Web process A: its order was placed first (placed_at 100), its transaction is still open.
    await slowWriter.query("BEGIN");
    await slowWriter.query(
      `INSERT INTO orders (order_id, item, quantity, source, placed_at, status)
       VALUES ('slow', 'book', 1, 'api', 100, 'accepted')`,
    );
    // Web process B: placed later (200), committed now.
    const placed = { orderId: "fast", item: "book", quantity: 1, placedAt: 200 };
    await store.orders.accept(
      {
        orders: [{ order: placed, source: "api", body: JSON.stringify(placed) }],
        lease: { owner: "web-b", until: 60_200 },
        outcomes: [],
        at: 200,
      },
      () => 0,
    );
    const whileOpen = await books.tick(1000, 0);
    // Not served before the older transaction ends: it could still commit behind it.
    assert.equal(whileOpen.accepted, 0);
    await slowWriter.query("COMMIT");
    const afterCommit = await books.tick(1000, 0);
    assert.equal(afterCommit.accepted, 2, "both orders counted, the one placed first too");
    const again = await books.tick(1000, 0);
    assert.equal(again.accepted, 2, "and each once");
  });
});
