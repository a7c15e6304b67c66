import { RateLimiterSQLite } from "rate-limiter-flexible";
import type { Db } from "../db";
import { RATE_LIMITS_TABLE, reportingStoreErrors, storedLimiterOptions } from "../limits";
import type { LimitsStore, StoredLimiterOptions } from "../store";

/**
 * Stored limiters on SQLite (migration 10): rate-limiter-flexible's RateLimiterSQLite on the
 * store's better-sqlite3 connection, so every process on this file counts in the same rows
 * (one upsert in its own transaction per attempt: the file's write lock orders them).
 */
export function sqliteLimits(db: Db): LimitsStore {
  return {
    limiter: (options: StoredLimiterOptions) =>
      reportingStoreErrors(
        new RateLimiterSQLite({ ...storedLimiterOptions(options), storeClient: db, storeType: "better-sqlite3" }),
        options.onStoreError,
      ),
    pruneExpired: async (before) => db.prepare(`DELETE FROM ${RATE_LIMITS_TABLE} WHERE expire < ?`).run(before).changes,
  };
}
