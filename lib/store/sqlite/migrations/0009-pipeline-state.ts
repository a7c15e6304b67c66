/**
 * Migration 9: the operator's pause/resume/prefetch of a pipeline (issue 11, shared state),
 * one row per order queue, so a process started while the pipeline is paused starts paused.
 * (Accounts and sessions have been here since migration 2; PostgreSQL gets them in its 9.)
 */
export const pipelineStateSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS pipeline_state (
     queue      TEXT    PRIMARY KEY,
     paused     INTEGER NOT NULL DEFAULT 0,
     prefetch   INTEGER,
     version    INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     updated_by TEXT
   )`,
];
