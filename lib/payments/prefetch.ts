/**
 * The payment consumer's delivery window when `PREFETCH` is not set. Its own module, free of Node's
 * APIs, because the queue page's client code shows it too.
 *
 * 300, not 100 (the default until December 2026): the consumer pays in batches of up to half the
 * window, and each batch waits for one WAL sync (or PostgreSQL flush) and the broker's answer to its
 * ack before its half of the window comes back. At 100 those waits idled one worker for 17-29 % of a
 * backlog drain (CPU profiles of three sessions); at 300 the same worker paid 23-47 % more per second
 * on SQLite and 41-51 % on PostgreSQL, with 16-34 % less CPU per order, on the 2-core box of
 * `npm run bench -- scale` (README, "Why the default prefetch is 300"). What a bigger window costs is
 * small here: a lone order still goes at once (lib/payments/batch-plan.ts), and the up to 300
 * deliveries a killed worker held come back to the others, where the ledger pays each once.
 */
export const DEFAULT_PREFETCH = 300;
