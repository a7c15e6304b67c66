import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./sqlite/migrate";

export type Db = Database.Database;

/** Opens (and creates, or upgrades: lib/store/sqlite/migrate.ts) the SQLite store in WAL mode, so web and worker processes share it. */
export function openDb(path: string): Db {
  const file = path === ":memory:" ? path : resolve(path);
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // NORMAL: a commit writes the WAL without fsync on this (the event loop's) thread. What must
  // be on disk before anyone is told so (an accepted order, a payment before its ack) awaits
  // durabilityOf(db).sync(), the WAL's fdatasync on the thread pool: NORMAL + that sync is what
  // FULL does, without the stall (lib/store/durable.ts).
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  migrate(db);
  return db;
}

/** How long a statement waits for another process's write lock (the ledger waits without blocking: recordBatchYielding). */
export const BUSY_TIMEOUT_MS = 5000;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement for `sql` on this connection, compiled once: for queries that run
 * on every tick or request from plain functions (better-sqlite3 does not cache them).
 */
export function cachedStatement<P extends unknown[] = [], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let statement = byText.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    byText.set(sql, statement);
  }
  return statement as unknown as Database.Statement<P, R>;
}
