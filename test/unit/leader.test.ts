import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Leader } from "../../lib/process/leader";
import type { LeadershipStore } from "../../lib/store/store";

/** An in-memory lease table with the store's rule (a unit test may fake the collaborator). */
function memoryLeases(): LeadershipStore & { calls: number; fail: boolean } {
  const rows = new Map<string, { holder: string; until: number }>();
  return {
    calls: 0,
    fail: false,
    async acquire(role, holder, at, ttlMs) {
      this.calls++;
      if (this.fail) throw new Error("database down");
      const row = rows.get(role);
      if (row && row.holder !== holder && row.until > at) return false;
      rows.set(role, { holder, until: at + ttlMs });
      return true;
    },
    async release(role, holder) {
      if (rows.get(role)?.holder === holder) rows.delete(role);
    },
    async current(role) {
      return rows.get(role) ?? null;
    },
  };
}

describe("Leader", () => {
  it("leads alone, renews after a third of the lease, and hands over on stop", async () => {
    let now = 0;
    const store = memoryLeases();
    const a = new Leader(store, "sampler", { ttlMs: 900, now: () => now });
    const b = new Leader(store, "sampler", { ttlMs: 900, now: () => now });
    assert.notEqual(a.holder, b.holder);
    assert.equal(await a.check(), true);
    assert.equal(await b.check(), false);
    const calls = store.calls;
    now = 200;
    assert.equal(await a.check(), true);
    assert.equal(store.calls, calls, "no database call within the first third of the lease");
    now = 400;
    assert.equal(await a.check(), true);
    assert.equal(store.calls, calls + 1, "renewed after a third");
    await a.stop();
    assert.equal(await b.check(), true, "the role is free at once after stop");
  });

  it("stops leading when it cannot renew, and another takes over once the lease has run out", async () => {
    let now = 0;
    const store = memoryLeases();
    const a = new Leader(store, "alerts", { ttlMs: 900, now: () => now });
    const b = new Leader(store, "alerts", { ttlMs: 900, now: () => now });
    assert.equal(await a.check(), true);
    store.fail = true;
    now = 400;
    assert.equal(await a.check(), false, "in doubt, not leading");
    store.fail = false;
    assert.equal(await b.check(), false, "a's lease still runs");
    now = 900;
    assert.equal(await b.check(), true);
    assert.equal(await a.check(), false);
  });
});

describe("Leader stopping", () => {
  it("gives back a lease that a renewal in flight took after stop()", async () => {
    const store = memoryLeases();
    let release: () => void = () => {};
    const slow: LeadershipStore = {
      ...store,
      acquire: async (...args) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return store.acquire(...args);
      },
      release: (role, holder) => store.release(role, holder),
      current: (role) => store.current(role),
    };
    const a = new Leader(slow, "sampler", { ttlMs: 900 });
    const checking = a.check();
    await a.stop();
    release();
    assert.equal(await checking, false);
    assert.equal(await store.current("sampler"), null, "the stopped process holds nothing");
    assert.equal(await a.check(), false, "a stopped leader never leads again");
  });
});
