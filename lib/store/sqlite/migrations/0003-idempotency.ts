/**
 * Migration 3: Idempotency-Key answers (issue 12, part 6). One row per key:
 * the fingerprint of the request that first used it, and its answer once
 * given (NULL while that request is still being served). Kept 24 h, swept by age.
 */
export const idempotencySchema: string[] = [
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     key         TEXT    PRIMARY KEY,
     fingerprint TEXT    NOT NULL,
     created_at  INTEGER NOT NULL,
     status      INTEGER,
     answer      TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys(created_at)",
];
