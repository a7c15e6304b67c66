import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { hashOrder } from "../../lib/payments/decide";
import { Ledger } from "../../lib/payments/ledger";
import { openDb } from "../../lib/store/db";

/**
 * The web process (order log) and `npm run worker` (ledger) write the same
 * SQLite file. A deferred transaction that reads before it writes fails at
 * once with "database is locked" when the other connection writes in
 * between, whatever busy_timeout says; the bench saw valid orders
 * dead-lettered that way. Every batch must wait its turn instead.
 */
test("ledger batches wait for another connection's writes instead of failing", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-contention-"));
  const file = join(dir, "shared.db");
  const ledger = new Ledger(openDb(file));
  // A second connection in another thread, writing order-log rows in a tight loop, as the web process does.
  const writer = new Worker(
    `
    const { workerData, parentPort } = require("node:worker_threads");
    const Database = require("better-sqlite3");
    const db = new Database(workerData.file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    const insert = db.prepare("INSERT OR REPLACE INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status) VALUES (?, 'book', 1, 'test', ?, ?, 'confirmed')");
    const batch = db.transaction((n) => { for (let i = 0; i < 5; i++) insert.run("w" + n + "-" + i, Date.now(), Date.now()); });
    let n = 0;
    let stop = false;
    let announced = false;
    parentPort.on("message", () => { stop = true; });
    (function loop() {
      const until = Date.now() + 20;
      while (Date.now() < until) batch.immediate(n++);
      if (n > 0 && !announced) { announced = true; parentPort.postMessage("writing"); }
      if (!stop) setImmediate(loop); else { db.close(); parentPort.postMessage(n); }
    })();
    `,
    { eval: true, workerData: { file } },
  );
  try {
    // The other connection is committing before the first batch, not "probably by now".
    await new Promise((resolve) => writer.once("message", resolve));
    let failures = 0;
    let paid = 0;
    const deadline = Date.now() + 3000;
    let k = 0;
    while (Date.now() < deadline) {
      const entries = Array.from({ length: 5 }, () => {
        const orderId = `o${k++}`;
        return {
          order: { orderId, item: "book", quantity: 1, placedAt: 1, bodyHash: hashOrder(orderId, "book", 1) },
          messageId: orderId,
          redelivered: false,
        };
      });
      try {
        paid += ledger.recordBatch(entries).filter((o) => o.kind === "paid").length;
      } catch (error) {
        failures++;
        if (failures === 1)
          console.error(
            `first failure: ${(error as Error).message} ${(error as { code?: string }).code} ${(error as Error).stack?.split("\n").slice(1, 4).join(" / ")}`,
          );
      }
      // Let the writer thread in between batches, as the event loop would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    writer.postMessage("stop");
    const written = await new Promise<number>((resolve) => writer.once("message", resolve));
    assert.ok(written > 0, "the other connection wrote meanwhile");
    assert.equal(failures, 0, `${failures} ledger batches failed with the other writer active`);
    assert.equal(paid, k, "every order in every batch was paid");
    assert.equal(ledger.counts().payments, k);
  } finally {
    await writer.terminate();
    ledger.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
