import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import type { PostgresStore } from "../../lib/store/postgres";
import { RECORD_ACKS_SQL } from "../../lib/store/postgres/ledger";
import { PG_SKIP } from "../helpers/pg-database";
import { type PgStoreFixture, pgStoreWithAdmin } from "../helpers/pg-store";

/**
 * The ack times are flushed every 250 ms by each worker, a few thousand at a time in a drain. The
 * plain join that looked them up was planned as a hash join over a sequential scan of every delivery
 * while the table held up to a few hundred thousand rows: four times the CPU of the index probes at
 * 100,000, and more as the table grew, once per flush of every worker (`npm run bench -- scale`:
 * PostgreSQL's CPU per order rose from 85 to 125 µs with a second worker).
 */
describe("ack times are looked up by index whatever the deliveries table holds (real PostgreSQL)", {
  skip: PG_SKIP,
}, () => {
  let fixture: PgStoreFixture;
  let store: PostgresStore;
  let admin: pg.Client;

  before(async () => {
    fixture = await pgStoreWithAdmin("warren_ackplan");
    ({ store, admin } = fixture);
    await admin.query(`INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome, reason)
      SELECT 'o-' || g, 'm-' || g, 1, 0, 'paid', NULL FROM generate_series(1, 100000) AS g`);
    // m-7 was delivered twice: the ack belongs to its newest delivery.
    await admin.query(`INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome, reason)
      VALUES ('o-7', 'm-7', 2, 1, 'duplicate', NULL)`);
    await admin.query("ANALYZE deliveries");
  });
  after(() => fixture?.close());

  it("plans a flush of 2,000 acks as index probes, not a scan of 100,000 deliveries", async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `m-${50_000 + i}`);
    await admin.query("BEGIN");
    try {
      const { rows } = await admin.query<{ "QUERY PLAN": string }>(`EXPLAIN ${RECORD_ACKS_SQL}`, [
        ids,
        ids.map(() => 5),
      ]);
      const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
      assert.doesNotMatch(plan, /Seq Scan on deliveries/, plan);
      assert.match(plan, /Index (Only )?Scan using deliveries_message/, plan);
    } finally {
      await admin.query("ROLLBACK");
    }
  });

  it("acks the newest delivery of each message id, the last ack of an id in the flush winning", async () => {
    await store.payments.recordAcks([
      { messageId: "m-7", at: 100 },
      { messageId: "m-8", at: 200 },
      { messageId: "m-7", at: 300 },
    ]);
    const { rows } = await admin.query<{ message_id: string; outcome: string; acked_at: number }>(
      `SELECT d.message_id, d.outcome, a.acked_at::int AS acked_at FROM delivery_acks a
         JOIN deliveries d ON d.id = a.delivery_id ORDER BY d.message_id`,
    );
    assert.deepEqual(
      rows.map((row) => [row.message_id, row.outcome, row.acked_at]),
      [
        ["m-7", "duplicate", 300],
        ["m-8", "paid", 200],
      ],
    );
  });
});
