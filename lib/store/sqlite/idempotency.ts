import type { Db } from "../db";
import type { IdempotencyClaim, IdempotencyStore, IdempotentAnswer } from "../store";

interface KeyRow {
  fingerprint: string;
  status: number | null;
  answer: string | null;
}

/** Idempotency keys on SQLite: the claim is one IMMEDIATE transaction, so two writers never both claim a key. */
export function sqliteIdempotency(db: Db): IdempotencyStore {
  const dropExpired = db.prepare<[string, number]>("DELETE FROM idempotency_keys WHERE key = ? AND created_at < ?");
  const insert = db.prepare<[string, string, number]>(
    "INSERT OR IGNORE INTO idempotency_keys (key, fingerprint, created_at) VALUES (?, ?, ?)",
  );
  const select = db.prepare<[string], KeyRow>("SELECT fingerprint, status, answer FROM idempotency_keys WHERE key = ?");
  const answer = db.prepare<[number, string, string]>(
    "UPDATE idempotency_keys SET status = ?, answer = ? WHERE key = ? AND status IS NULL",
  );
  const release = db.prepare<[string]>("DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL");
  const sweep = db.prepare<[number]>("DELETE FROM idempotency_keys WHERE created_at < ?");

  const claim = db.transaction((key: string, fingerprint: string, at: number, keepMs: number): IdempotencyClaim => {
    dropExpired.run(key, at - keepMs);
    if (insert.run(key, fingerprint, at).changes === 1) return { kind: "claimed" };
    const row = select.get(key);
    if (!row) return { kind: "in_progress" }; // unreachable inside the transaction; keeps the type honest
    if (row.fingerprint !== fingerprint) return { kind: "conflict" };
    if (row.status === null || row.answer === null) return { kind: "in_progress" };
    return { kind: "replay", answer: { status: row.status, body: row.answer } };
  });

  return {
    claim: async ({ key, fingerprint, at, keepMs }) => claim.immediate(key, fingerprint, at, keepMs),
    complete: async (key: string, given: IdempotentAnswer) => {
      answer.run(given.status, given.body, key);
    },
    release: async (key: string) => {
      release.run(key);
    },
    sweep: async (at: number, keepMs: number) => sweep.run(at - keepMs).changes,
  };
}
