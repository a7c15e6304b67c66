/**
 * Migration 7: durable queue history (lib/history). One row per (queue, resolution, bucket start):
 * `n` samples averaged, the depth's peaks, and where the rates came from. A leader writes 1 s rows;
 * the rollup folds them into 10 s, then 1 min rows as they age, and deletes what is past 30 days.
 * `history_queues` is the bounded list of queues sampled (Warren's own pinned, others once opened).
 */
export const historySchema: string[] = [
  `CREATE TABLE IF NOT EXISTS queue_history (
     queue       TEXT    NOT NULL,
     resolution  INTEGER NOT NULL,
     at          INTEGER NOT NULL,
     n           INTEGER NOT NULL,
     ready       REAL,
     ready_max   REAL,
     unacked     REAL,
     unacked_max REAL,
     consumers   REAL,
     publish     REAL,
     deliver     REAL,
     ack         REAL,
     rate_source TEXT,
     PRIMARY KEY (queue, resolution, at)
   ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS queue_history_age ON queue_history (resolution, at)",
  `CREATE TABLE IF NOT EXISTS history_queues (
     queue     TEXT    PRIMARY KEY,
     pinned    INTEGER NOT NULL,
     viewed_at INTEGER NOT NULL
   )`,
];
