import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { WarrenError } from "../../lib/errors";
import { fingerprintOf, IDEMPOTENCY_KEEP_MS, once, readIdempotencyKey } from "../../lib/orders/idempotency";
import type { WarrenStore } from "../../lib/store/store";
import { storeAdapters } from "../helpers/store-adapters";

/**
 * Idempotency keys: the store's claim/complete/release/sweep (a contract a
 * PostgreSQL adapter joins by adding its factory) and `once`, the rule the
 * order door runs on top of it.
 */
const adapters = storeAdapters("idempotency");
const DAY = IDEMPOTENCY_KEEP_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const adapter of adapters) {
  describe(`idempotency store: ${adapter.name}`, { skip: adapter.skip }, () => {
    let store: WarrenStore;
    beforeEach(async () => {
      store = await adapter.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("claims a new key once; its twin waits, then replays the stored answer", async () => {
      const ids = store.idempotency;
      assert.deepEqual(await ids.claim({ key: "k", fingerprint: "f", at: 1000, keepMs: DAY }), { kind: "claimed" });
      assert.deepEqual(await ids.claim({ key: "k", fingerprint: "f", at: 1001, keepMs: DAY }), { kind: "in_progress" });
      await ids.complete("k", { status: 202, body: '{"orderId":"o-1"}' });
      assert.deepEqual(await ids.claim({ key: "k", fingerprint: "f", at: 1002, keepMs: DAY }), {
        kind: "replay",
        answer: { status: 202, body: '{"orderId":"o-1"}' },
      });
    });

    it("refuses the same key for another fingerprint, answered or not", async () => {
      const ids = store.idempotency;
      await ids.claim({ key: "k", fingerprint: "f", at: 1000, keepMs: DAY });
      assert.deepEqual(await ids.claim({ key: "k", fingerprint: "g", at: 1001, keepMs: DAY }), { kind: "conflict" });
      await ids.complete("k", { status: 202, body: "{}" });
      assert.deepEqual(await ids.claim({ key: "k", fingerprint: "g", at: 1002, keepMs: DAY }), { kind: "conflict" });
    });

    it("forgets a released key (the request failed) and a key older than the keep window", async () => {
      const ids = store.idempotency;
      await ids.claim({ key: "failed", fingerprint: "f", at: Date.now(), keepMs: DAY });
      await ids.release("failed");
      assert.deepEqual(await ids.claim({ key: "failed", fingerprint: "g", at: Date.now(), keepMs: DAY }), {
        kind: "claimed",
      });
      // Real time and a short window: a store shared by machines (PostgreSQL) ages keys by its own clock.
      const keepMs = 1500; // wide enough for a loaded CI box to claim, answer and read inside it
      await ids.claim({ key: "old", fingerprint: "f", at: Date.now(), keepMs });
      await ids.complete("old", { status: 202, body: "{}" });
      // A release never drops an answered key.
      await ids.release("old");
      assert.equal((await ids.claim({ key: "old", fingerprint: "g", at: Date.now(), keepMs })).kind, "conflict");
      await sleep(keepMs + 200);
      assert.equal((await ids.claim({ key: "old", fingerprint: "g", at: Date.now(), keepMs })).kind, "claimed");
    });

    it("sweeps keys older than the keep window and only those", async () => {
      const ids = store.idempotency;
      await ids.claim({ key: "a", fingerprint: "f", at: Date.now(), keepMs: DAY });
      await sleep(2000);
      await ids.claim({ key: "b", fingerprint: "f", at: Date.now(), keepMs: DAY });
      assert.equal(await ids.sweep(Date.now(), 1000), 1);
      assert.equal((await ids.claim({ key: "a", fingerprint: "g", at: Date.now(), keepMs: DAY })).kind, "claimed");
      assert.equal((await ids.claim({ key: "b", fingerprint: "g", at: Date.now(), keepMs: DAY })).kind, "conflict");
    });

    // PostgreSQL only: a SQLite file has one machine and one clock (and CI counts a skipped test as unproven).
    const sharedByMachines = adapter.name === "postgres" ? it : () => {};
    sharedByMachines(
      "ages keys by the database's clock: a web process minutes ahead does not forget a key just claimed",
      async () => {
        const ids = store.idempotency;
        const keepMs = 60_000;
        const ahead = () => Date.now() + 5 * 60_000; // another web process, its clock 5 minutes ahead
        await ids.claim({ key: "twin", fingerprint: "f", at: Date.now(), keepMs });
        await ids.complete("twin", { status: 202, body: '{"orderId":"o-1"}' });
        // The client's retry reaches the other process: it must be the first answer, not a second order.
        assert.deepEqual(await ids.claim({ key: "twin", fingerprint: "f", at: ahead(), keepMs }), {
          kind: "replay",
          answer: { status: 202, body: '{"orderId":"o-1"}' },
        });
        assert.equal(await ids.sweep(ahead(), keepMs), 0, "its sweep keeps the key too");
        assert.equal((await ids.claim({ key: "twin", fingerprint: "g", at: ahead(), keepMs })).kind, "conflict");
        // A key first claimed by a process 5 minutes behind is not born 5 minutes old: dated by the database too.
        const behind = () => Date.now() - 5 * 60_000;
        await ids.claim({ key: "late", fingerprint: "f", at: behind(), keepMs });
        await ids.complete("late", { status: 202, body: '{"orderId":"o-2"}' });
        assert.equal((await ids.claim({ key: "late", fingerprint: "f", at: Date.now(), keepMs })).kind, "replay");
      },
    );

    it("once: parallel twins are served once and all get the first answer", async () => {
      let served = 0;
      const serve = async () => {
        served += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { status: 202, body: JSON.stringify({ orderId: `o-${served}` }) };
      };
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => once(store.idempotency, { key: "k", fingerprint: "f" }, serve)),
      );
      assert.equal(served, 1);
      assert.deepEqual(new Set(answers.map((a) => a.body)), new Set(['{"orderId":"o-1"}']));
      assert.equal(answers.filter((a) => !a.replayed).length, 1);
    });

    it("once: a failed first attempt keeps nothing, so the retry is served", async () => {
      const refusal = new WarrenError("broker_unavailable", "down");
      await assert.rejects(
        once(store.idempotency, { key: "k", fingerprint: "f" }, async () => {
          throw refusal;
        }),
        refusal,
      );
      const answer = await once(store.idempotency, { key: "k", fingerprint: "f" }, async () => ({
        status: 202,
        body: "{}",
      }));
      assert.equal(answer.replayed, false);
    });

    it("once: another body under a used key is a 409 with the reason", async () => {
      await once(store.idempotency, { key: "k", fingerprint: "f" }, async () => ({ status: 202, body: "{}" }));
      await assert.rejects(
        once(store.idempotency, { key: "k", fingerprint: "g" }, async () => ({ status: 202, body: "{}" })),
        (error: WarrenError) => error.status === 409 && /different request body/.test(error.message),
      );
    });
  });
}

describe("idempotency keys and fingerprints", () => {
  it("reads a header value, refusing unusable keys with a 400", () => {
    assert.equal(readIdempotencyKey(null), null);
    assert.equal(readIdempotencyKey(" 4f1c-9 "), "4f1c-9");
    for (const bad of ["", "has space", "x".repeat(256), "é"]) {
      assert.throws(
        () => readIdempotencyKey(bad),
        (error: WarrenError) => error.status === 400,
      );
    }
  });

  it("fingerprints a body by content, not key order", () => {
    assert.equal(fingerprintOf({ item: "book", quantity: 2 }), fingerprintOf({ quantity: 2, item: "book" }));
    assert.notEqual(fingerprintOf({ item: "book", quantity: 2 }), fingerprintOf({ item: "book", quantity: 3 }));
    assert.notEqual(fingerprintOf({ item: "book" }), fingerprintOf({ item: "book", quantity: 1 }));
  });
});
