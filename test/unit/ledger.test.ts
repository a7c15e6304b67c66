import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hashOrder } from "../../lib/payments/decide";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";

const dir = mkdtempSync(join(tmpdir(), "warren-ledger-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const order = (orderId: string, item = "book", quantity = 1) => ({
  orderId,
  item,
  quantity,
  placedAt: 1000,
  bodyHash: hashOrder(orderId, item, quantity),
});

describe("Ledger (a real SQLite file)", () => {
  it("records one payment per order and a duplicate for each repeat, whatever the redelivered flag", () => {
    let clock = 1500;
    const ledger = new Ledger(openDb(join(dir, "a.db")), () => clock++);
    const outcomes = ledger.recordBatch([
      { order: order("o1"), messageId: "m1", redelivered: false },
      { order: order("o1"), messageId: "m1", redelivered: false },
      { order: order("o1"), messageId: "m1", redelivered: true },
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ["paid", "duplicate", "duplicate"],
    );
    assert.deepEqual(ledger.counts(), { payments: 1, duplicates: 2 });
    const [payment] = ledger.recent();
    assert.equal(payment?.amountCents, 1250);
    assert.equal(payment?.latencyMs, 500);
  });

  it("reports a conflict for the same id with a different body and keeps the first payment", () => {
    const ledger = new Ledger(openDb(join(dir, "b.db")));
    ledger.recordBatch([{ order: order("o2", "book"), messageId: "m2", redelivered: false }]);
    const [outcome] = ledger.recordBatch([{ order: order("o2", "laptop"), messageId: "m3", redelivered: false }]);
    assert.equal(outcome?.kind, "conflict");
    assert.equal(ledger.recent()[0]?.item, "book");
    assert.equal(ledger.counts().payments, 1);
  });

  it("survives reopening the file and resumes after a sequence number", () => {
    const path = join(dir, "c.db");
    const first = new Ledger(openDb(path));
    first.recordBatch(["p1", "p2", "p3"].map((id) => ({ order: order(id), messageId: id, redelivered: false })));
    first.db.close();
    const reopened = new Ledger(openDb(path));
    assert.deepEqual(
      reopened.since(1).map((p) => p.orderId),
      ["p2", "p3"],
    );
  });

  it("rolls the whole batch back when one entry fails", () => {
    const ledger = new Ledger(openDb(join(dir, "d.db")));
    const broken = { ...order("x2"), item: null as unknown as string };
    assert.throws(() =>
      ledger.recordBatch([
        { order: order("x1"), messageId: "x1", redelivered: false },
        { order: broken, messageId: "x2", redelivered: false },
      ]),
    );
    assert.equal(ledger.counts().payments, 0);
  });
});

describe("Ledger on a file another connection is writing", () => {
  it("waits for the write lock without freezing the event loop, then records the batch", async () => {
    const path = join(dir, "locked.db");
    const ledger = new Ledger(openDb(path));
    const other = openDb(path);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      // Twice on the same connection: a busy_timeout set once (a PRAGMA applies when it is
      // prepared, so a cached one changes nothing the second time) would block the second round.
      for (const round of [1, 2]) {
        other.exec("BEGIN IMMEDIATE"); // another process's writer holds the lock
        const before = ticks;
        const recording = ledger.recordBatchYielding([
          { order: order(`locked-${round}`), messageId: `ml${round}`, redelivered: false },
        ]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.ok(
          ticks - before >= 5,
          `round ${round}: the event loop ran on while the lock was taken (${ticks - before} ticks)`,
        );
        other.exec("COMMIT");
        const outcomes = await recording;
        assert.deepEqual(
          outcomes.map((o) => o.kind),
          ["paid"],
        );
        assert.equal(ledger.db.pragma("busy_timeout", { simple: true }), 5000, "the connection's own wait is back");
      }
    } finally {
      clearInterval(ticker);
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
    }
  });

  it("gives up with the busy error after its wait", async () => {
    const path = join(dir, "locked-forever.db");
    const ledger = new Ledger(openDb(path));
    const other = openDb(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      await assert.rejects(
        ledger.recordBatchYielding([{ order: order("locked-2"), messageId: "ml2", redelivered: false }], 50),
        (error: { code?: string }) => error.code === "SQLITE_BUSY",
      );
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });
});
