import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { StoreFactory } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "./pg-database";

export interface StoreAdapter {
  name: "sqlite" | "postgres";
  /** A fresh, empty store of this backend at each call. */
  open: StoreFactory;
  /** Why this backend's tests are skipped (PG_SKIP for PostgreSQL). */
  skip?: string | false;
}

/**
 * The two backends a store suite runs against: SQLite, a new file per `open()` in a temp dir, and
 * PostgreSQL (unless PG_SKIP), a new schema per `open()` in a database made for this test file
 * (`warren_<label>_…`). Registers the hooks that make the database before the tests and remove both
 * after: call it once, at the top level of a test file. `label`: lowercase letters only.
 */
export function storeAdapters(label: string): readonly [sqlite: StoreAdapter, postgres: StoreAdapter] {
  const dir = mkdtempSync(join(tmpdir(), `warren-${label}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let opened = 0;
  let database: TestDatabase | undefined;
  before(async () => {
    if (!PG_SKIP) database = await createTestDatabase(`warren_${label}`);
  });
  after(() => database?.drop());
  return [
    { name: "sqlite", open: async () => openSqliteStore(join(dir, `${label}-${++opened}.db`)) },
    {
      name: "postgres",
      skip: PG_SKIP,
      open: async () => {
        if (!database) throw new Error("no test database");
        return openPostgresStore(await database.schema(`${label}_${++opened}`), { max: 4 });
      },
    },
  ];
}
