/**
 * The database's clock, epoch ms: the one clock every machine of a group shares. Leases,
 * heartbeats and retry times that relays or leaders on several machines compare are granted and
 * judged by it, never by a caller's Date.now() (a machine whose clock runs a minute ahead would
 * otherwise take what another still holds, and one a minute behind would never take over).
 *
 * DB_NOW reads the clock as it runs (clock_timestamp()); STATEMENT_NOW is the start of the
 * statement: stable, so one statement compares every row against the same instant, and an index
 * on the compared column can still be used.
 */
export const DB_NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
export const STATEMENT_NOW = "(extract(epoch from statement_timestamp()) * 1000)::bigint";

/** The outbox's size and its oldest row's created_at moved into the caller's clock ($1: the caller's now). */
export const OUTBOX_BACKLOG_SQL = `SELECT COUNT(*) AS n, $1::bigint - (${STATEMENT_NOW} - MIN(created_at)) AS oldest FROM outbox`;
