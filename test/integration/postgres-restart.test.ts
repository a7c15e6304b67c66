import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hashOrder } from "../../lib/payments/decide";
import type { LedgerEntry } from "../../lib/payments/ledger";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { PG_SKIP } from "../helpers/pg-database";
import { startPrivatePostgres } from "../helpers/private-postgres";

const entry = (orderId: string): LedgerEntry => ({
  order: { orderId, item: "book", quantity: 1, placedAt: 1, bodyHash: hashOrder(orderId, "book", 1) },
  messageId: orderId,
  redelivered: false,
});

/** Retries `call` while the server comes back, as the consumer and the outbox do; the attempts it took. */
async function eventually(call: () => Promise<unknown>, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await call();
      return attempt;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A restarted PostgreSQL (a private server: the machine's is shared): the store's pool
 * drops the dead connections by itself, the next calls work without a restart of Warren,
 * and what was committed before an immediate (crash) restart is still there.
 */
describe("the PostgreSQL store across server restarts (private server)", { skip: PG_SKIP }, () => {
  let server: Awaited<ReturnType<typeof startPrivatePostgres>> | undefined;
  let store: PostgresStore;

  before(async () => {
    server = await startPrivatePostgres();
    store = openPostgresStore(server.url, { max: 4 });
  });
  after(async () => {
    try {
      await store?.close();
    } finally {
      server?.stop();
    }
  });

  for (const mode of ["fast", "immediate"] as const) {
    it(`keeps every commit and works again after pg_ctl restart -m ${mode}`, async () => {
      const before = `${mode}-before`;
      const [paid] = await store.payments.recordBatch([entry(before)]);
      assert.equal(paid?.kind, "paid");
      // Every pooled connection is open (and idle) when the server goes away.
      await Promise.all(Array.from({ length: 4 }, () => store.payments.counts()));
      server?.restart(mode);
      const afterRestart = `${mode}-after`;
      await eventually(() => store.payments.recordBatch([entry(afterRestart)]));
      const ids = (await store.payments.recent(100)).map((p) => p.orderId);
      assert.ok(ids.includes(before), `the payment committed before the ${mode} restart is kept`);
      assert.ok(ids.includes(afterRestart));
      // A redelivery after the restart is a duplicate, not a second payment.
      const [again] = await store.payments.recordBatch([entry(before)]);
      assert.equal(again?.kind, "duplicate");
    });
  }
});
