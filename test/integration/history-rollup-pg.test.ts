import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import type { HistorySample, HistoryTier } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { waitFor } from "./harness";

/**
 * Two rollups at once on one PostgreSQL database (two leaders overlapping for a moment, a lease
 * taken over mid-rollup): the rows of a bucket are merged into the next tier once, not twice.
 * The overlap is made certain rather than hoped for: a third session holds a row lock on the rows
 * to roll, so the first rollup has written its buckets and waits to delete; the second rollup
 * starts then, and the lock is let go once both wait.
 */
describe("history rollup on PostgreSQL: two at once", { skip: PG_SKIP }, () => {
  let database: TestDatabase;
  let a: PostgresStore;
  let b: PostgresStore;
  let watcher: pg.Client;
  const tiers: HistoryTier[] = [
    { resolutionMs: 1000, keepMs: 10_000 },
    { resolutionMs: 10_000, keepMs: 1_000_000_000 },
  ];
  const queue = "rollup-twice";
  const base = 1_800_000_000_000;
  const SAMPLES = 40;

  before(async () => {
    database = await createTestDatabase("warren_rollup");
    a = openPostgresStore(database.url(), { max: 2 });
    // Migrated by the first store before the second opens.
    await a.history.tracked();
    b = openPostgresStore(database.url(), { max: 2 });
    await b.history.tracked();
    watcher = new pg.Client({ connectionString: database.url() });
    await watcher.connect();
  });
  after(async () => {
    await watcher?.end().catch(() => {});
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  /** Sessions of this database waiting on a lock (row, transaction or advisory), the blocker's own excluded. */
  async function waiting(): Promise<string[]> {
    const { rows } = await watcher.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    return rows.map((r) => r.query);
  }

  it("merges each second-row into its 10 s bucket once", async () => {
    const samples: HistorySample[] = Array.from({ length: SAMPLES }, (_, i) => ({
      queue,
      at: base + i * 1000,
      ready: i,
      unacked: 0,
      consumers: 1,
      publish: null,
      deliver: null,
      ack: null,
      rateSource: null,
    }));
    assert.equal(await a.history.record(samples, 1000), SAMPLES);
    const at = base + SAMPLES * 1000 + 60_000;

    const blocker = new pg.Client({ connectionString: database.url() });
    await blocker.connect();
    let rollups: Promise<unknown> = Promise.resolve();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM queue_history WHERE resolution = 1000 FOR UPDATE");
      const first = a.history.rollup(at, tiers);
      rollups = first;
      await waitFor(
        async () => (await waiting()).some((q) => q.startsWith("DELETE FROM queue_history")),
        10_000,
        "the first rollup to have written its buckets and wait to delete",
      );
      const second = b.history.rollup(at, tiers);
      rollups = Promise.allSettled([first, second]);
      await waitFor(async () => (await waiting()).length >= 2, 10_000, "the second rollup to wait too");
      await blocker.query("COMMIT");
      const [one, two] = await Promise.all([first, second]);
      assert.equal(one.rolled + two.rolled, SAMPLES, "each second-row is rolled (deleted) once");
    } finally {
      await blocker.query("ROLLBACK").catch(() => {});
      await blocker.end();
      await rollups.catch(() => {});
    }

    const buckets = await a.history.read(queue, base - 60_000, at, 10_000);
    assert.deepEqual(
      buckets.map((bucket) => bucket.samples),
      Array.from({ length: SAMPLES / 10 }, () => 10),
      "ten samples per 10 s bucket, not twenty",
    );
    // The averages are the samples' own (0..9 → 4.5, 10..19 → 14.5, …), not weighted twice.
    assert.deepEqual(
      buckets.map((bucket) => bucket.ready),
      Array.from({ length: SAMPLES / 10 }, (_, k) => 10 * k + 4.5),
    );
    assert.deepEqual(await a.history.rowCounts(queue), { 10000: SAMPLES / 10 });
  });
});
