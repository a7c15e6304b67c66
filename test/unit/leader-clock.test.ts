import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Leader } from "../../lib/process/leader";
import { openPostgresStore } from "../../lib/store/postgres";
import type { WarrenStore } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * Leadership across machines whose clocks disagree (PostgreSQL: one database, several machines).
 * Two Leaders on one database, each with its own skewed clock, as two machines would have.
 */
describe("leadership leases on PostgreSQL with skewed clocks", { skip: PG_SKIP }, () => {
  let database: TestDatabase | undefined;
  let store: WarrenStore;
  before(async () => {
    database = await createTestDatabase("warren_skew");
    store = await openPostgresStore(await database.schema("skew"), { max: 4 });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  for (const skewMs of [60_000, -60_000]) {
    it(`one holder while the other machine's clock is ${skewMs > 0 ? "a minute ahead" : "a minute behind"}`, async () => {
      const role = `skew-${skewMs > 0 ? "ahead" : "behind"}`;
      const ttlMs = 10_000;
      const a = new Leader(store.leadership, role, { ttlMs, now: () => Date.now() });
      const b = new Leader(store.leadership, role, { ttlMs, now: () => Date.now() + skewMs });
      try {
        assert.equal(await a.check(), true, "a takes the free role");
        // b's clock says a's lease (by a's clock) ran out, or has long to run: the database's clock decides.
        assert.equal(await b.check(), false, "b does not lead while a's lease runs");
        assert.equal(await a.check(), true, "a still leads");
        assert.equal((await store.leadership.current(role))?.holder, a.holder, "only a holds the lease");
        // a hands over: b takes it at once, and a, asking again, is refused.
        await a.stop();
        assert.equal(await b.check(), true);
        const c = new Leader(store.leadership, role, { ttlMs, now: () => Date.now() - skewMs });
        assert.equal(await c.check(), false, "a third machine, skewed the other way, is refused too");
        assert.equal((await store.leadership.current(role))?.holder, b.holder);
      } finally {
        await a.stop();
        await b.stop();
      }
    });
  }
});
