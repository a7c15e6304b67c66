import type { Pool, QueryConfig } from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { RATE_LIMITS_TABLE, reportingStoreErrors, storedLimiterOptions } from "../limits";
import type { LimitsStore, StoredLimiterOptions } from "../store";

/**
 * Stored limiters on PostgreSQL (migration 10): rate-limiter-flexible's RateLimiterPostgres on
 * the store's pool, so every web process on every machine counts in the same rows (one atomic
 * INSERT … ON CONFLICT DO UPDATE per attempt).
 */
export class PgLimits implements LimitsStore {
  /** The library's queries go through here: they wait for the schema (the table is migration 10's). */
  private readonly client = {
    query: async (query: QueryConfig) => {
      await this.ready();
      return this.pool.query(query);
    },
  };

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  limiter(options: StoredLimiterOptions): RateLimiterPostgres {
    const limiter = new RateLimiterPostgres({
      ...storedLimiterOptions(options),
      storeClient: this.client,
      // "client": the library calls storeClient.query() and releases nothing (the pool does).
      storeType: "client",
    });
    return reportingStoreErrors(limiter, options.onStoreError);
  }

  async pruneExpired(before: number): Promise<number> {
    await this.ready();
    const result = await this.pool.query(`DELETE FROM ${RATE_LIMITS_TABLE} WHERE expire < $1`, [before]);
    return result.rowCount ?? 0;
  }
}
