import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ConsumeMessage } from "amqplib";
import pg from "pg";
import type { LedgerEntry } from "../../lib/payments/ledger";
import { type BatchItem, MAX_HANDLER_ATTEMPTS, payBatch, StoreWatch } from "../../lib/payments/pay-batch";
import { openDb } from "../../lib/store/db";
import { Ledger } from "../../lib/store/sqlite/ledger";
import { isStoreUnavailable, PartialBatchError } from "../../lib/store/unavailable";

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
    assert.equal(isStoreUnavailable(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" })), true);
    assert.equal(isStoreUnavailable(Object.assign(new Error("readonly"), { code: "SQLITE_READONLY_DBMOVED" })), true);
    assert.equal(isStoreUnavailable(Object.assign(new Error("no space left on device"), { code: "ENOSPC" })), true);
    assert.equal(isStoreUnavailable(Object.assign(new Error("could not extend file"), { code: "53100" })), true);
    assert.equal(
      isStoreUnavailable(Object.assign(new Error("constraint failed"), { code: "SQLITE_CONSTRAINT" })),
      false,
    );
    assert.equal(isStoreUnavailable(Object.assign(new Error("no such table"), { code: "SQLITE_ERROR" })), false);
    assert.equal(isStoreUnavailable(Object.assign(new Error("syntax error"), { code: "42601" })), false);
    assert.equal(isStoreUnavailable(Object.assign(new Error("unique violation"), { code: "23505" })), false);
    assert.equal(isStoreUnavailable(new Error("order x: neither paid now nor found paid")), false);
    assert.equal(isStoreUnavailable(undefined), false);
  });
});

describe("a full SQLite file (a real one, capped with max_page_count)", () => {
  it("is the store being unavailable: a valid order waits for space, however many tries, and is never dead-lettered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warren-full-"));
    const db = openDb(join(dir, "full.db"));
    try {
      const ledger = new Ledger(db);
      const pages = db.pragma("page_count", { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      const store = {
        recordBatch: (entries: LedgerEntry[]) => ledger.recordBatch(entries),
        durable: () => ledger.durable(),
      };
      const order = (i: number): BatchItem => ({
        message: {
          content: Buffer.from(JSON.stringify({ orderId: `full-${i}`, item: "book", quantity: 1 })),
          properties: { headers: {}, messageId: `m-full-${i}` },
          fields: { redelivered: i > 0 },
        } as unknown as ConsumeMessage,
        receivedAt: Date.now(),
      });
      // Filled up to the cap: the very error SQLite gives, "database or disk is full".
      let direct: { code?: string } | null = null;
      for (let i = 0; i < 100_000 && !direct; i++) {
        try {
          const filler = { orderId: `filler-${i}`, item: "book", quantity: 1, placedAt: null, bodyHash: "h" };
          ledger.recordBatch([{ order: filler, messageId: `filler-${i}`, redelivered: false }]);
        } catch (error) {
          direct = error as { code?: string };
        }
      }
      assert.equal(direct?.code, "SQLITE_FULL");
      assert.equal(isStoreUnavailable(direct), true);
      // The same delivery, tried more often than a message may fail for a fault of its own.
      const failures = new Map<string, number>();
      for (let attempt = 0; attempt <= MAX_HANDLER_ATTEMPTS + 1; attempt++) {
        const { verdicts, paid } = await payBatch([order(0)], store as never, failures);
        assert.equal(paid.length, 0);
        assert.equal(verdicts[0]?.kind, "requeue", `attempt ${attempt + 1}: ${JSON.stringify(verdicts[0])}`);
      }
      // Space again: it is paid.
      db.pragma("max_page_count = 1073741823");
      const { verdicts, paid } = await payBatch([order(0)], store as never, failures);
      assert.equal(verdicts[0]?.kind, "ack");
      assert.deepEqual(
        paid.map((p) => p.orderId),
        ["full-0"],
      );
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a store that is away, as the consumer sees it", () => {
  const item = (i: number): BatchItem => ({
    message: {
      content: Buffer.from(JSON.stringify({ orderId: `away-${i}`, item: "book", quantity: 1 })),
      properties: { headers: {}, messageId: `m-away-${i}` },
      fields: { redelivered: false },
    } as unknown as ConsumeMessage,
    receivedAt: Date.now(),
  });

  it("requeues the whole batch at once: no entry waits out its own timeout against a store known to be away", async () => {
    let calls = 0;
    const away = {
      recordBatch: async () => {
        calls++;
        throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      },
      durable: async () => {},
    };
    const { verdicts } = await payBatch([item(1), item(2), item(3), item(4), item(5)], away as never, new Map());
    assert.equal(calls, 1, "one try for the batch, not one more per entry");
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ["requeue", "requeue", "requeue", "requeue", "requeue"],
    );
  });

  it("keeps what a partial batch committed and requeues the rest at once when the store went away midway", async () => {
    let calls = 0;
    const paidFirst = {
      kind: "paid",
      deliveryId: 1,
      payment: { seq: 1, orderId: "away-1", item: "book", quantity: 1, amountCents: 1, placedAt: null, paidAt: 1 },
    };
    const midway = {
      recordBatch: async () => {
        calls++;
        const lost = Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
        throw new PartialBatchError([paidFirst, undefined, undefined, undefined], lost);
      },
      durable: async () => {},
    };
    const { verdicts, paid } = await payBatch([item(1), item(2), item(3), item(4)], midway as never, new Map());
    assert.equal(calls, 1, "the entries left are not tried one by one against a store found away");
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ["ack", "requeue", "requeue", "requeue"],
    );
    assert.deepEqual(
      paid.map((p) => p.orderId),
      ["away-1"],
    );
  });

  it("reports the store away while deliveries keep finding it so, and not for long after the last one", () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const watch = new StoreWatch(
      (line) => lines.push(line),
      () => now,
    );
    assert.equal(watch.unavailable, null);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    for (let i = 0; i < 12; i++) {
      watch.away(refused, `o-${i}`);
      now += 1000;
    }
    assert.deepEqual(watch.unavailable, { since: 1_000_000, error: "connect ECONNREFUSED" });
    assert.equal(lines.length, 3, `one line per 5 s, not one per delivery: ${lines.join(" | ")}`);
    assert.match(lines[1] ?? "", /5 deliveries wait for it \(the last: o-5\)/);
    now += 1500; // 2.5 s after the last delivery that found it away
    assert.ok(watch.unavailable, "a requeued delivery is about a second away: still away");
    now += 1000;
    watch.trying = 1;
    assert.ok(watch.unavailable, "a batch still trying the store (a try may take seconds): still away");
    watch.trying = 0;
    assert.equal(watch.unavailable, null, "no delivery found it away for over 3 s: no longer reported");
  });
});
