/**
 * Migration 10: rate_limits (issue 11, shared state): the sign-in guessing limits' counters,
 * so every process on this file counts one client's and one account's attempts together
 * (lib/store/sqlite/limits.ts). The columns, in this order, are what rate-limiter-flexible's
 * RateLimiterSQLite reads and writes; keys are `<limiter prefix>:<key>`, `expire` epoch ms.
 * Made here, not by the library at run time (it is given `tableCreated: true`); rows that
 * expired are pruned by the limits (SignInLimits).
 */
export const rateLimitsSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS rate_limits (
     key    TEXT    PRIMARY KEY,
     points INTEGER NOT NULL DEFAULT 0,
     expire INTEGER
   )`,
  // The prune deletes by expiry: an index, not a scan of every counter.
  "CREATE INDEX IF NOT EXISTS rate_limits_expire ON rate_limits (expire)",
];
