import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pg from "pg";
import { isStoreUnavailable } from "../../lib/store/unavailable";

describe("isStoreUnavailable", () => {
  it("says a PostgreSQL server that is not there is unavailable (a real refused connection)", async () => {
    const client = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:1/none" });
    const error = await client.connect().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error);
    assert.equal(isStoreUnavailable(error), true);
  });

  it("tells a restart or a busy file from a bad request", () => {
    assert.equal(isStoreUnavailable(Object.assign(new Error("terminating connection"), { code: "57P01" })), true);
    assert.equal(
      isStoreUnavailable(Object.assign(new Error("the database system is starting up"), { code: "57P03" })),
      true,
    );
    assert.equal(isStoreUnavailable(new Error("Connection terminated unexpectedly")), true);
    assert.equal(isStoreUnavailable(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })), true);
    assert.equal(isStoreUnavailable(Object.assign(new Error("syntax error"), { code: "42601" })), false);
    assert.equal(isStoreUnavailable(Object.assign(new Error("unique violation"), { code: "23505" })), false);
    assert.equal(isStoreUnavailable(new Error("order x: neither paid now nor found paid")), false);
    assert.equal(isStoreUnavailable(undefined), false);
  });
});
