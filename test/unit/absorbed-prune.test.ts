import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openDb } from "../../lib/store/db";
import { openSqliteStore } from "../../lib/store/sqlite";

const dir = mkdtempSync(join(tmpdir(), "warren-absorbed-prune-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The first prune of absorbed duplicates on a SQLite file that kept them since before pruning
 * existed can meet a great many rows. One DELETE of them all would hold the file's write lock,
 * and this process's only thread, until it ends; in chunks, the event loop runs between them
 * and another connection (the worker, a web process) writes in between.
 */
describe("SQLite absorbed prune (a real file, a second connection)", () => {
  it("deletes many rows in chunks, letting another connection write between them", async () => {
    const path = join(dir, "absorbed.db");
    const store = openSqliteStore(path);
    // Another process's connection: it does not wait for a lock (a held lock fails its write at once).
    const other = openDb(path);
    other.pragma("busy_timeout = 0");
    const total = 12_345;
    const old = 1_000;
    const insert = other.prepare<[number, string]>(
      "INSERT INTO absorbed (at, cause, kind, order_id) VALUES (?, 'client_retry', 'duplicate', ?)",
    );
    other.transaction(() => {
      for (let i = 0; i < total; i++) insert.run(old, `old-${i}`);
    })();
    const oldLeft = other.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM absorbed WHERE at < 2000");
    try {
      let settled = false;
      const pruning = store.timing.pruneAbsorbed(2000).finally(() => {
        settled = true;
      });
      // While the prune is under way, on each turn of the event loop: how many old rows are left,
      // and a write of the other connection.
      const seen: number[] = [];
      let written = 0;
      while (!settled) {
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) break;
        seen.push(oldLeft.get()?.n ?? -1);
        insert.run(Date.now(), `new-${written++}`);
      }
      assert.equal(await pruning, total, "every old row went");
      assert.ok(
        seen.some((n) => n > 0 && n < total),
        `the event loop ran while old rows were still left (seen: [${seen.join(", ")}])`,
      );
      assert.ok(written > 0, "the other connection wrote between the chunks");
      assert.equal(oldLeft.get()?.n, 0);
      assert.equal(
        other.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM absorbed").get()?.n,
        written,
        "the rows written meanwhile stay",
      );
    } finally {
      other.close();
      await store.close();
    }
  });
});
