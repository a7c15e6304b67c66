import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { hashOrder } from "../../lib/payments/decide";
import { payBatch } from "../../lib/payments/pay-batch";
import type { PostgresStore } from "../../lib/store/postgres";
import { PG_SKIP } from "../helpers/pg-database";
import { type PgStoreFixture, pgStoreWithAdmin } from "../helpers/pg-store";

const order = (orderId: string) => ({
  orderId,
  item: "book",
  quantity: 1,
  placedAt: 1000,
  bodyHash: hashOrder(orderId, "book", 1),
});
const message = (orderId: string, tag: number) =>
  ({
    content: Buffer.from(JSON.stringify({ orderId, item: "book", quantity: 1 })),
    fields: { deliveryTag: tag, redelivered: false },
    properties: { messageId: `m-${orderId}`, headers: {} },
  }) as never;

/**
 * PostgreSQL pays a batch's new orders in one statement (its own transaction) and classifies the
 * rest in a second. When the second fails, the first is committed all the same: the consumer must
 * keep those payments as paid, not record them again and read them back as their own duplicates.
 */
describe("a batch PostgreSQL recorded only in part (real PostgreSQL)", { skip: PG_SKIP }, () => {
  let fixture: PgStoreFixture;
  let store: PostgresStore;
  let admin: pg.Client;

  before(async () => {
    fixture = await pgStoreWithAdmin("warren_partial");
    ({ store, admin } = fixture);
  });
  after(() => fixture?.close());

  it("keeps the new orders paid when classifying the others fails, and records those again", async () => {
    await store.payments.recordBatch([{ order: order("p-old"), messageId: "m-p-old", redelivered: false }]);
    // The second transaction (a copy of an order paid before) will fail: its table is away.
    await admin.query("ALTER TABLE duplicates RENAME TO duplicates_away");
    const failures = new Map<string, number>();
    const ledger = {
      recordBatch: (entries: Parameters<typeof store.payments.recordBatch>[0]) => store.payments.recordBatch(entries),
      durable: () => store.durable(),
      recordAcks: async () => {},
      recordDeadLetter: async () => undefined,
    };
    const first = await payBatch(
      [
        { message: message("p-new-1", 1), receivedAt: 1 },
        { message: message("p-old", 2), receivedAt: 1 },
        { message: message("p-new-2", 3), receivedAt: 1 },
      ],
      ledger,
      failures,
    );
    assert.deepEqual(
      first.paid.map((p) => p.orderId),
      ["p-new-1", "p-new-2"],
      "announced as paid once, not lost from the events",
    );
    assert.deepEqual(first.duplicates, [], "not read back as their own duplicates");
    assert.deepEqual(
      first.verdicts.map((v) => v.kind),
      ["ack", "requeue", "ack"],
      "only the copy whose record failed comes again",
    );
    const { rows } = await admin.query("SELECT order_id, COUNT(*)::int AS n FROM deliveries GROUP BY 1 ORDER BY 1");
    assert.deepEqual(
      rows.map((r) => [r.order_id, r.n]),
      [
        ["p-new-1", 1],
        ["p-new-2", 1],
        ["p-old", 1],
      ],
      "one delivery row per delivery: nothing recorded twice",
    );
    await admin.query("ALTER TABLE duplicates_away RENAME TO duplicates");
    const again = await payBatch([{ message: message("p-old", 4), receivedAt: 2 }], ledger, failures);
    assert.deepEqual(
      again.duplicates.map((d) => d.orderId),
      ["p-old"],
    );
  });
});
