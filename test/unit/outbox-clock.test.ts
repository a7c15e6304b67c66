import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { AlertEvaluator } from "../../lib/alerts/evaluator";
import { computeHealth } from "../../lib/health/pipeline";
import { Leases } from "../../lib/orders/leases";
import { openPostgresStore } from "../../lib/store/postgres";
import type { NewOrder, RetryAt, WarrenStore } from "../../lib/store/store";
import { alertEvaluatorOptions } from "../helpers/alert-evaluator";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * Outbox row leases and relay heartbeats across machines whose clocks disagree (PostgreSQL: one
 * database, relays on several machines). Each relay below computes its times as OrderOutbox does
 * (lib/orders/outbox.ts claim/accept, lib/orders/leases.ts), from its own skewed clock. The
 * backlog's age is read as each reader of it reads it (metrics gauge, health panel, books panel,
 * outbox-age alert), each on a machine of its own clock.
 */
const MINUTES = 5 * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (ids: string[]) => [...ids].sort();

describe("outbox leases on PostgreSQL with skewed clocks", { skip: PG_SKIP }, () => {
  let database: TestDatabase | undefined;
  let store: WarrenStore;
  let schemas = 0;
  before(async () => {
    database = await createTestDatabase("warren_outboxskew");
  });
  // A schema per test: rows one test leaves behind are nobody else's to claim.
  beforeEach(async () => {
    if (!database) throw new Error("no test database");
    store = await openPostgresStore(await database.schema(`skew_${++schemas}`), { max: 4 });
  });
  afterEach(() => store?.close());
  after(() => database?.drop());

  /** A relay on a machine whose clock is `skewMs` off, leasing for `leaseMs` and beating for `heartbeatMs`. */
  function relay(skewMs: number, leaseMs = 30_000, heartbeatMs = 10_000) {
    const leases = new Leases(store.orders, leaseMs, heartbeatMs);
    const now = () => Date.now() + skewMs;
    const retryAt: RetryAt = (_attempts, at) => at + 1000;
    return {
      owner: leases.owner,
      beat: () => leases.beat(),
      async accept(ids: string[]) {
        const at = now();
        const orders: NewOrder[] = ids.map((orderId) => {
          const order = { orderId, item: "book", quantity: 1, placedAt: at };
          return { order, source: "test", body: JSON.stringify(order) };
        });
        await store.orders.accept({ orders, lease: leases.leaseAt(at), outcomes: [], at }, retryAt);
      },
      /** As a periodic sweep does: rows due by this relay's clock, leased from it. */
      async claim(): Promise<string[]> {
        const at = now();
        const rows = await store.orders.claimDue({
          dueBy: at,
          at,
          limit: 100,
          lease: leases.leaseAt(at),
          exclude: new Set(),
        });
        return sorted(rows.map((row) => row.orderId));
      },
      async fail(orderId: string, backoffMs: number) {
        const at = now();
        await store.orders.recordOutcomes(
          [{ kind: "failed", orderId, error: "no route", at }],
          (_n, from) => from + backoffMs,
        );
      },
      stop: () => leases.stop(),
    };
  }

  /**
   * The oldest waiting row's age, in ms (the pipeline's in s), as every reader of the backlog
   * computes it on a machine whose clock is `skewMs` off: the metrics gauge (orders.backlog), the
   * health panel (computeHealth over health.outboxBacklog) and the books panel (outboxDetail).
   */
  async function agesSeenBy(skewMs: number) {
    const at = Date.now() + skewMs;
    const [orders, health, detail, pipeline] = await Promise.all([
      store.orders.backlog(at),
      store.health.outboxBacklog(at),
      store.health.outboxDetail(at, 10),
      computeHealth({
        reads: store.health,
        sample: null,
        orderQueue: "orders",
        stuckAfterS: 3600,
        ratePerS: 0,
        now: at,
      }),
    ]);
    const age = (time: number | null | undefined) => (time == null ? null : at - time);
    return {
      ms: {
        metrics: age(orders.oldestCreatedAt),
        health: age(health.oldestAt),
        books: age(detail.oldestAt),
        booksRow: age(detail.oldest[0]?.createdAt),
      },
      pipelineS: pipeline.outbox.oldestAgeS,
    };
  }

  /** Whether the outbox-age alert fires in one round of an evaluator on a machine `skewMs` off, at `outboxAgeS`. */
  async function outboxAlertFires(skewMs: number, outboxAgeS: number): Promise<boolean> {
    const evaluator = new AlertEvaluator(
      alertEvaluatorOptions(store, {
        leader: { check: async () => true, stop: async () => {} },
        thresholds: { dlqPerMin: 1_000, stuckS: 3600, outboxAgeS },
        now: () => Date.now() + skewMs,
      }),
    );
    try {
      assert.equal(await evaluator.round(), true, "the round led and ended well");
      return (await store.alerts.firing()).some((incident) => incident.rule === "outbox-age");
    } finally {
      await evaluator.stop();
    }
  }

  for (const skewMs of [MINUTES, -MINUTES]) {
    const label = skewMs > 0 ? "ahead" : "behind";

    it(`the backlog's age does not depend on the clock of the relay that accepted it (5 minutes ${label})`, async () => {
      const accepting = relay(skewMs);
      await accepting.accept([`${label}-waiting`]);
      // Readers on a machine in time and on one skewed the other way (10 minutes from the relay's).
      const readers = [0, -skewMs];
      for (const reader of readers) {
        const seen = await agesSeenBy(reader);
        for (const [what, ms] of Object.entries(seen.ms)) {
          // Just accepted: seconds old at most on a loaded box, never minutes (nor in the future).
          assert.ok(ms !== null && ms >= 0 && ms < 30_000, `${what} by a reader ${reader} ms off: ${ms} ms old`);
        }
        assert.ok(seen.pipelineS !== null && seen.pipelineS < 30, `health panel: ${seen.pipelineS} s old`);
        assert.equal(await outboxAlertFires(reader, 60), false, `no outbox-age alert yet (reader ${reader} ms off)`);
      }
      await sleep(1300);
      // It aged by the time that passed, whoever reads it: the alert fires once it is past its threshold.
      for (const reader of readers) {
        const seen = await agesSeenBy(reader);
        for (const [what, ms] of Object.entries(seen.ms)) {
          assert.ok(ms !== null && ms >= 1000 && ms < 60_000, `${what} by a reader ${reader} ms off: ${ms} ms old`);
        }
        assert.ok(seen.pipelineS !== null && seen.pipelineS >= 1 && seen.pipelineS < 60, `${seen.pipelineS} s old`);
        assert.equal(await outboxAlertFires(reader, 0), true, `the outbox-age alert fires (reader ${reader} ms off)`);
      }
      await accepting.stop();
    });
  }

  for (const skewMs of [MINUTES, -MINUTES]) {
    const label = skewMs > 0 ? "ahead" : "behind";

    it(`a relay whose clock is 5 minutes ${label} does not take rows another live relay holds, nor loses its own`, async () => {
      const a = relay(0);
      const b = relay(skewMs);
      await a.beat();
      await b.beat();
      await a.accept([`${label}-a1`, `${label}-a2`]);
      await b.accept([`${label}-b1`]);
      // Each sweeps: each gets its own rows back (its own lease), never the other's.
      assert.deepEqual(await b.claim(), [`${label}-b1`], "b takes only its own row");
      assert.deepEqual(await a.claim(), [`${label}-a1`, `${label}-a2`], "a takes only its own rows");
      // Again, after both renewed their leases by their claims.
      assert.deepEqual(await b.claim(), [`${label}-b1`]);
      assert.deepEqual(await a.claim(), [`${label}-a1`, `${label}-a2`]);
      await a.stop();
      await b.stop();
    });

    it(`the rows of a dead relay whose clock was 5 minutes ${label} come back once its heartbeat or lease ran out`, async () => {
      // "beating": a long lease, a short heartbeat that stops; "quiet": never beat, a short lease.
      const beating = relay(skewMs, 30_000, 1000);
      const quiet = relay(skewMs, 1000);
      const survivor = relay(0);
      await beating.beat();
      await survivor.beat();
      await beating.accept([`${label}-dead-beating`]);
      await quiet.accept([`${label}-dead-quiet`]);
      // Both died here (kill -9: no release). Until their time runs out, their rows are theirs.
      assert.deepEqual(await survivor.claim(), [], "not before the heartbeat and the lease ran out");
      await sleep(1300);
      assert.deepEqual(await survivor.claim(), [`${label}-dead-beating`, `${label}-dead-quiet`]);
      await survivor.stop();
    });

    it(`a failed row recorded by a relay whose clock is 5 minutes ${label} waits its backoff, no more, no less`, async () => {
      const failing = relay(skewMs);
      const other = relay(0);
      await failing.beat();
      await other.beat();
      await failing.accept([`${label}-retry`]);
      assert.deepEqual(await failing.claim(), [`${label}-retry`]);
      // The publish failed: the row is free for any relay after a backoff of 1 s.
      await failing.fail(`${label}-retry`, 1000);
      assert.deepEqual(await other.claim(), [], "not during the backoff");
      await sleep(1300);
      assert.deepEqual(await other.claim(), [`${label}-retry`], "due once the backoff is over");
      await failing.stop();
      await other.stop();
    });
  }
});
