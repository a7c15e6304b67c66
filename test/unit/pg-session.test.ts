import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openPostgresStore } from "../../lib/store/postgres";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * Warren's statements are short; PostgreSQL's JIT compiled some of them anyway (estimates over
 * jit_above_cost on a table not analyzed yet, or a flush of a few thousand ack times): 20-25 ms
 * of server CPU each time. In the scale bench that was a third of PostgreSQL's CPU per order.
 */
describe("Warren's PostgreSQL sessions (real PostgreSQL)", { skip: PG_SKIP }, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase("warren_session");
  });
  after(async () => {
    await database?.drop();
  });

  const setting = async (url: string, name: string) => {
    const store = openPostgresStore(url, { max: 1 });
    try {
      const { rows } = await store.pool.query<{ value: string }>("SELECT current_setting($1) AS value", [name]);
      return rows[0]?.value;
    } finally {
      await store.close();
    }
  };

  it("run without JIT", async () => {
    assert.equal(await setting(database.url(), "jit"), "off");
  });

  it("keep the options the URL sets, and a URL may turn JIT back on", async () => {
    const withOptions = (options: string) => {
      const url = new URL(database.url());
      url.searchParams.set("options", options);
      return url.toString();
    };
    assert.equal(await setting(withOptions("-c work_mem=8MB"), "work_mem"), "8MB");
    assert.equal(await setting(withOptions("-c work_mem=8MB"), "jit"), "off");
    assert.equal(await setting(withOptions("-c jit=on"), "jit"), "on");
  });
});
