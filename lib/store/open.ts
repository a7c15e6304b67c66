import { openPostgresStore } from "./postgres";
import { openSqliteStore } from "./sqlite";
import type { WarrenStore } from "./store";

/**
 * The store a process runs on: PostgreSQL when DATABASE_URL is set (processes on any
 * number of machines share it), otherwise the SQLite file at WARREN_DB_PATH (one host,
 * nothing to set up: what `npm start` uses).
 */
export function openStore(
  config: { DATABASE_URL?: string; WARREN_DB_PATH: string },
  log?: (message: string) => void,
): WarrenStore {
  if (config.DATABASE_URL) return openPostgresStore(config.DATABASE_URL, { log });
  return openSqliteStore(config.WARREN_DB_PATH, { checkpoints: true, log });
}

/** Where a store is, for logs: never a password. */
export function describeStore(config: { DATABASE_URL?: string; WARREN_DB_PATH: string }): string {
  if (!config.DATABASE_URL) return `SQLite ${config.WARREN_DB_PATH}`;
  try {
    const url = new URL(config.DATABASE_URL);
    return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}
