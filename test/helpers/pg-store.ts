import pg from "pg";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { createTestDatabase, type TestDatabase } from "./pg-database";

/** A fresh database with Warren's schema, its store, and a plain client for what a test does behind the store's back. */
export interface PgStoreFixture {
  database: TestDatabase;
  store: PostgresStore;
  admin: pg.Client;
  /** Ends the client (rolling back what it left open), closes the store and drops the database. */
  close(): Promise<void>;
}

export async function pgStoreWithAdmin(prefix: string): Promise<PgStoreFixture> {
  const database = await createTestDatabase(prefix);
  const store = openPostgresStore(database.url(), { max: 2 });
  await store.ready();
  const admin = new pg.Client({ connectionString: database.url() });
  await admin.connect();
  return {
    database,
    store,
    admin,
    async close() {
      await admin.end().catch(() => {});
      await store.close();
      await database.drop();
    },
  };
}
