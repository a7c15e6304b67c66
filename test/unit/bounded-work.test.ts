import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { auditRows } from "../../lib/messages/records";
import { holdWarren, releaseWarren } from "../../lib/process/current";
import type { Warren } from "../../lib/process/warren";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { AuditStore, StoreFactory, WarrenStore } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * Work done once and bounded, on both backends: the audit export's keyset pages. Each test
 * counts what it reads from the store, so a version that re-reads or counts per page fails.
 */
const dir = mkdtempSync(join(tmpdir(), "warren-bounded-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

let database: TestDatabase | undefined;
before(async () => {
  if (!PG_SKIP) database = await createTestDatabase("warren_bounded");
});
after(() => database?.drop());

const adapters: Array<{ name: string; open: StoreFactory; skip?: string | false }> = [
  { name: "sqlite", open: async () => openSqliteStore(join(dir, `bounded-${++files}.db`)) },
  {
    name: "postgres",
    skip: PG_SKIP,
    open: async () => {
      if (!database) throw new Error("no test database");
      return openPostgresStore(await database.schema(`bounded_${++files}`), { max: 4 });
    },
  },
];

/** The store's audit log, counting the rows it hands out and the COUNTs it runs. */
function counting(audit: AuditStore) {
  const seen = { rows: 0, counts: 0 };
  const wrapped: AuditStore = {
    append: (input) => audit.append(input),
    recent: async (limit, offset) => {
      const rows = await audit.recent(limit, offset);
      seen.rows += rows.length;
      return rows;
    },
    olderThan: async (beforeId, limit) => {
      const rows = await audit.olderThan(beforeId, limit);
      seen.rows += rows.length;
      return rows;
    },
    count: () => {
      seen.counts++;
      return audit.count();
    },
    byActionPrefix: (prefix, limit) => audit.byActionPrefix(prefix, limit),
    forTarget: (target, limit) => audit.forTarget(target, limit),
  };
  return { wrapped, seen };
}

for (const adapter of adapters) {
  describe(`bounded work: ${adapter.name}`, { skip: adapter.skip }, () => {
    let store: WarrenStore;
    beforeEach(async () => {
      store = await adapter.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("exports the audit log a keyset page at a time: every row once, newest first, while entries are appended", async () => {
      const N = 47;
      const PAGE = 10;
      const ids: number[] = [];
      for (let i = 0; i < N; i++) {
        ids.push(await store.audit.append({ actor: "t", action: "export.test", target: `row-${i}`, result: "ok" }));
      }
      const { wrapped, seen } = counting(store.audit);
      const warren = { role: "web", store: { ...store, audit: wrapped } } as unknown as Warren;
      holdWarren(warren);
      try {
        const exported: number[] = [];
        let appended = 0;
        for await (const row of auditRows(true, new AbortController().signal, PAGE)) {
          exported.push(row.id as number);
          // Three new entries every few rows read: an OFFSET page would now start three rows too early.
          if (exported.length % 7 === 0) {
            for (let k = 0; k < 3; k++) {
              await store.audit.append({ actor: "t", action: "export.test", target: "late", result: "ok" });
              appended++;
            }
          }
        }
        assert.ok(appended >= 18, "entries were appended during the export");
        assert.deepEqual(exported, [...ids].reverse(), "every row there at the start, once, newest first");
        assert.equal(seen.rows, N, "each row read from the store once (no page re-read)");
        assert.ok(seen.counts <= 1, `at most one COUNT per export (ran ${seen.counts})`);
      } finally {
        releaseWarren(warren);
      }
    });
  });
}
