import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";

/** Deadlock detected, serialization failure: the transaction did nothing and may run again. */
const RETRYABLE = new Set(["40P01", "40001"]);

export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has((error as { code?: string }).code ?? "");
}

/**
 * Runs `work` in one transaction on one pooled connection; a deadlock or serialization
 * failure rolls back and runs it again (a few times, with a short random pause so two
 * retrying writers do not meet again), any other error rolls back and is thrown.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  { attempts = 5, onRetry }: { attempts?: number; onRetry?: (error: Error) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    // A checked-out connection that dies (the server restarted) emits "error" besides failing its
    // query: with no listener that is an uncaught exception. The pool listens only to idle ones.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      if (attempt >= attempts || !isRetryable(error)) throw error;
      onRetry?.(error as Error);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: the pool drops it.
      client.off("error", onError);
      client.release(broken);
    }
  }
}

/**
 * One statement as its own transaction (autocommit: one round trip), run again after a
 * deadlock or serialization failure like inTransaction's work.
 */
export async function statementWithRetry<R extends QueryResultRow>(
  pool: Pool,
  text: string,
  values: unknown[],
  { attempts = 5, onRetry }: { attempts?: number; onRetry?: (error: Error) => void } = {},
): Promise<QueryResult<R>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      onRetry?.(error as Error);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
