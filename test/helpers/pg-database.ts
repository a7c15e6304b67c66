import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * A throwaway PostgreSQL database on the machine's server (trust auth), for one test
 * run: created with a random name, dropped by `drop()` (WITH FORCE: connections a failed
 * test left open do not keep it alive). Callers drop it in an `after` hook, which
 * node:test runs whether the tests passed or not.
 */
export interface TestDatabase {
  name: string;
  /** A URL to the database; `schema` puts a connection's tables in that schema (one per store). */
  url(schema?: string): string;
  /** Creates a schema and returns a URL whose connections use it. */
  schema(name: string): Promise<string>;
  drop(): Promise<void>;
}

export const PG_ADMIN_URL = process.env.WARREN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function createTestDatabase(prefix = "warren_test"): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const base = new URL(PG_ADMIN_URL);
  base.pathname = `/${name}`;
  const url = (schema?: string) => {
    const u = new URL(base);
    if (schema) u.searchParams.set("options", `-c search_path=${schema}`);
    return u.toString();
  };
  let dropped = false;
  return {
    name,
    url,
    async schema(schema: string) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await client.end();
      }
      return url(schema);
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
