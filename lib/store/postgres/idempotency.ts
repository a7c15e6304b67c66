import type { Pool } from "pg";
import type { IdempotencyClaim, IdempotencyStore, IdempotentAnswer } from "../store";
import { STATEMENT_NOW } from "./clock";
import { inTransaction } from "./tx";

interface KeyRow {
  fingerprint: string;
  status: number | null;
  answer: string | null;
}

/**
 * Idempotency keys on PostgreSQL. Two claims of one key meet at its primary key:
 * the second INSERT … ON CONFLICT waits for the first transaction, then inserts
 * nothing and reads the row the first committed.
 *
 * Keys are dated and aged by the database's clock (lib/store/postgres/clock.ts); a caller's
 * `at` is not used. Web processes on several machines share these rows: one whose clock ran
 * minutes ahead used to count a key another had just claimed as expired, claim it anew and
 * serve the retry as a second order.
 */
export class PgIdempotency implements IdempotencyStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async claim({ key, fingerprint, keepMs }: { key: string; fingerprint: string; at: number; keepMs: number }) {
    await this.ready();
    return inTransaction(this.pool, async (client): Promise<IdempotencyClaim> => {
      await client.query(`DELETE FROM idempotency_keys WHERE key = $1 AND created_at < ${STATEMENT_NOW} - $2::bigint`, [
        key,
        keepMs,
      ]);
      const inserted = await client.query(
        `INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES ($1, $2, ${STATEMENT_NOW}) ON CONFLICT (key) DO NOTHING`,
        [key, fingerprint],
      );
      if (inserted.rowCount === 1) return { kind: "claimed" };
      const { rows } = await client.query<KeyRow>(
        "SELECT fingerprint, status, answer FROM idempotency_keys WHERE key = $1",
        [key],
      );
      const row = rows[0];
      if (!row) return { kind: "in_progress" };
      if (row.fingerprint !== fingerprint) return { kind: "conflict" };
      if (row.status === null || row.answer === null) return { kind: "in_progress" };
      return { kind: "replay", answer: { status: row.status, body: row.answer } };
    });
  }

  async complete(key: string, answer: IdempotentAnswer): Promise<void> {
    await this.ready();
    await this.pool.query("UPDATE idempotency_keys SET status = $1, answer = $2 WHERE key = $3 AND status IS NULL", [
      answer.status,
      answer.body,
      key,
    ]);
  }

  async release(key: string): Promise<void> {
    await this.ready();
    await this.pool.query("DELETE FROM idempotency_keys WHERE key = $1 AND status IS NULL", [key]);
  }

  async sweep(_at: number, keepMs: number): Promise<number> {
    await this.ready();
    return (
      (await this.pool.query(`DELETE FROM idempotency_keys WHERE created_at < ${STATEMENT_NOW} - $1::bigint`, [keepMs]))
        .rowCount ?? 0
    );
  }
}
