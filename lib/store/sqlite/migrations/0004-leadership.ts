/**
 * Migration 4: leadership leases. One row per role (e.g. "history-sampler"): the process that holds
 * it and until when (epoch ms). An upsert that only wins over an expired or own row is the election.
 */
export const leadershipSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS leaders (
     role   TEXT    PRIMARY KEY,
     holder TEXT    NOT NULL,
     until  INTEGER NOT NULL
   )`,
];
