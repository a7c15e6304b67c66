/**
 * Migration 11: a leaner ledger write (issue 11, the backlog drain).
 * - `deliveries_message` goes: acks are written by the delivery row's id, which the ledger knows
 *   when it inserts the row; only a rare ack without one (a dead-letter copy) still looks its row up
 *   by message id, newest row first, where the row it wants was written a moment before.
 * The `messages` table stays but is no longer written (every delivery is in `deliveries`, which
 * the trace reads); a process of an older version may still write it.
 */
export const leanLedgerSchema: string[] = ["DROP INDEX IF EXISTS deliveries_message"];
