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

/**
 * PostgreSQL tests run unless WARREN_TEST_PG=0 says there is no server (a fresh clone
 * without one): then they are skipped by name, never passed silently.
 */
export const PG_SKIP: string | false =
  process.env.WARREN_TEST_PG === "0" ? "WARREN_TEST_PG=0: no PostgreSQL server for this run" : false;

const NAME = /^warren_[a-z]+_([0-9a-z]+)_[0-9a-f]{8}$/;
const STALE_MS = 6 * 60 * 60 * 1000;

/**
 * A run killed before its `after` hook (kill -9, a crashed runner) leaves its database
 * behind: databases of this helper's naming more than a few hours old are dropped here.
 */
async function dropStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'warren\\_%'",
  );
  for (const { datname } of rows) {
    const created = NAME.exec(datname)?.[1];
    if (created && Date.now() - Number.parseInt(created, 36) > STALE_MS) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
  }
}

export async function createTestDatabase(prefix = "warren_test"): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await dropStale(admin);
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
