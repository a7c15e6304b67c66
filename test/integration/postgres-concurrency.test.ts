import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { hashOrder, type PayableOrder } from "../../lib/payments/decide";
import type { LedgerEntry } from "../../lib/payments/ledger";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { PG_MIGRATIONS } from "../../lib/store/postgres/migrations";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * What only a networked store has to get right: many processes writing at once.
 * Each store instance here has its own pool, as separate processes would.
 */
let database: TestDatabase | undefined;
let schemas = 0;
const stores: PostgresStore[] = [];

before(async () => {
  if (!PG_SKIP) database = await createTestDatabase("warren_concurrency");
});
after(async () => {
  await Promise.allSettled(stores.map((store) => store.close()));
  await database?.drop();
});

function testDatabase(): TestDatabase {
  if (!database) throw new Error("no test database");
  return database;
}

/** `count` stores sharing one fresh schema, migrated (together: the advisory lock serialises them). */
async function sharedStores(count: number): Promise<PostgresStore[]> {
  const url = await testDatabase().schema(`s${++schemas}`);
  const opened = Array.from({ length: count }, () => openPostgresStore(url, { max: 4 }));
  stores.push(...opened);
  await Promise.all(opened.map((store) => store.ready()));
  return opened;
}

const payable = (orderId: string): PayableOrder => ({
  orderId,
  item: "book",
  quantity: 1,
  placedAt: 1000,
  bodyHash: hashOrder(orderId, "book", 1),
});
const entry = (orderId: string, messageId = `m-${orderId}`): LedgerEntry => ({
  order: payable(orderId),
  messageId,
  redelivered: false,
});

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const LATEST = PG_MIGRATIONS.at(-1)?.version;

describe("postgres store under concurrent writers", { skip: PG_SKIP }, () => {
  it("migrates once when several processes start together", async () => {
    const [first] = await sharedStores(4);
    const { rows } = await (first as PostgresStore).pool.query<{ version: number; n: number }>(
      "SELECT MAX(version) AS version, COUNT(*)::int AS n FROM schema_version",
    );
    assert.deepEqual(rows[0], { version: LATEST, n: 1 });
  });

  it("an unreachable server fails each call with the reason (no hang, no crash)", async () => {
    const away = openPostgresStore("postgres://postgres@127.0.0.1:1/none", { max: 1 });
    stores.push(away);
    await assert.rejects(away.payments.counts(), /ECONNREFUSED/);
    await assert.rejects(away.orders.pending(), /ECONNREFUSED/);
  });

  it("refuses a database whose schema is newer than this code", async () => {
    const [first] = await sharedStores(1);
    await (first as PostgresStore).pool.query("UPDATE schema_version SET version = 99");
    const newer = openPostgresStore(testDatabase().url(`s${schemas}`), { max: 1 });
    stores.push(newer);
    await assert.rejects(newer.ready(), new RegExp(`schema version 99; this Warren knows up to ${LATEST}`));
    await assert.rejects(newer.payments.recent(1), /schema version 99/, "every call says why");
  });

  it("three relays claiming at once never hold the same outbox row", async () => {
    const relays = await sharedStores(3);
    const total = 3000;
    const orders = Array.from({ length: total }, (_, i) => {
      const order = { orderId: `o-${String(i).padStart(5, "0")}`, item: "book", quantity: 1, placedAt: i };
      return { order, source: "test" as const, body: JSON.stringify(order) };
    });
    // Leased to a relay that died (its lease ran out at 0): every row is due for anyone.
    await (relays[0] as PostgresStore).orders.accept(
      { orders, lease: { owner: "dead", until: 0 }, outcomes: [], at: 1 },
      () => 0,
    );
    const claimedBy = relays.map(() => [] as string[]);
    await Promise.all(
      relays.map(async (relay, r) => {
        for (;;) {
          const rows = await relay.orders.claimDue({
            dueBy: 10,
            at: 10,
            limit: 50,
            lease: { owner: `relay-${r}`, until: 1_000_000 },
            exclude: new Set(claimedBy[r]),
          });
          if (rows.length === 0) return;
          claimedBy[r]?.push(...rows.map((row) => row.orderId));
        }
      }),
    );
    const all = claimedBy.flat();
    assert.equal(new Set(all).size, all.length, "a row was claimed by two relays");
    assert.equal(all.length, total, "every row was claimed");
    assert.ok(
      claimedBy.filter((rows) => rows.length > 0).length >= 2,
      `the work was shared (${claimedBy.map((c) => c.length).join("/")})`,
    );
  });

  it("a relay whose heartbeat stopped gives its rows back before their leases run out", async () => {
    const [web1, web2] = await sharedStores(2);
    const order = (orderId: string) => {
      const placed = { orderId, item: "book", quantity: 1, placedAt: 1 };
      return { order: placed, source: "test" as const, body: JSON.stringify(placed) };
    };
    // Real time: leases and heartbeats run by the database's clock, a duration from each call.
    // All three relays lease their rows for 60 s, except "quiet", for 5 s; "killed" beat for 2 s,
    // "alive" keeps beating; "quiet" never beat. Seconds, not a few hundred ms: on a loaded 2-core
    // CI box the calls below can take that long before the first claim.
    await web1?.orders.heartbeat("killed", 2000);
    await web1?.orders.accept(
      { orders: [order("k1")], lease: { owner: "killed", until: 60_001 }, outcomes: [], at: 1 },
      () => 0,
    );
    await web1?.orders.heartbeat("alive", 300);
    await web1?.orders.heartbeat("alive", 10_000);
    await web1?.orders.accept(
      { orders: [order("a1")], lease: { owner: "alive", until: 60_001 }, outcomes: [], at: 1 },
      () => 0,
    );
    await web1?.orders.accept(
      { orders: [order("q1")], lease: { owner: "quiet", until: 5_001 }, outcomes: [], at: 1 },
      () => 0,
    );
    let survivors = 0;
    const claim = () => {
      const at = Date.now();
      return web2?.orders.claimDue({
        dueBy: at,
        at,
        limit: 10,
        lease: { owner: `survivor-${++survivors}`, until: at + 100_000 },
        exclude: new Set(),
      });
    };
    assert.deepEqual(
      (await claim())?.map((r) => r.orderId),
      [],
      "every heartbeat is current",
    );
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const taken = await claim();
    assert.deepEqual(
      taken?.map((r) => [r.orderId, r.previousOwner]),
      [["k1", "killed"]],
    );
    // A relay that stops cleanly ends its heartbeat with its leases.
    await web1?.orders.releaseLeases("alive");
    assert.deepEqual(
      (await claim())?.map((r) => r.orderId),
      ["a1"],
    );
    assert.deepEqual(
      (await claim())?.map((r) => r.orderId),
      [],
      "a lease without heartbeats runs to its end",
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(
      (await claim())?.map((r) => r.orderId),
      ["q1"],
    );
  });

  it("two ledgers recording overlapping batches at once pay each order once, with no deadlock", async () => {
    const ledgers = await sharedStores(2);
    const ids = Array.from({ length: 4000 }, (_, i) => `p-${i}`);
    // Each ledger gets every id, in its own random order, in batches of 100, four at a time: the batches overlap everywhere.
    const runs = ledgers.map(async (store) => {
      const order = shuffled(ids);
      const outcomes = [];
      for (let i = 0; i < order.length; i += 400) {
        const batch = Array.from({ length: 4 }, (_, k) =>
          order.slice(i + k * 100, i + (k + 1) * 100).map((id) => entry(id)),
        );
        // Four batches in flight per ledger, as a consumer with several channels' deliveries would have.
        const results = await Promise.all(batch.map((b) => store.payments.recordBatch(b)));
        outcomes.push(...results.flat());
      }
      return outcomes;
    });
    const [a, b] = await Promise.all(runs);
    const outcomes = [...(a ?? []), ...(b ?? [])];
    const paid = outcomes.filter((o) => o.kind === "paid").map((o) => (o.kind === "paid" ? o.payment.orderId : ""));
    assert.equal(paid.length, ids.length, "each order paid exactly once");
    assert.equal(new Set(paid).size, ids.length);
    assert.equal(
      outcomes.filter((o) => o.kind === "duplicate").length,
      ids.length,
      "the other delivery is a duplicate",
    );
    assert.deepEqual(await ledgers[0]?.payments.counts(), { payments: ids.length, duplicates: ids.length });
    // Sorted batches do not deadlock: not even one that a retry absorbed.
    assert.deepEqual(
      ledgers.map((l) => l.payments.retries),
      [0, 0],
    );
  });

  it("a resuming reader misses no payment when transactions commit out of order", async () => {
    const [store] = await sharedStores(1);
    const reader = store as PostgresStore;
    const url = testDatabase().url(`s${schemas}`);
    const connect = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    };
    const seen: string[] = [];
    let cursor = 0;
    /** An SSE client: reads what is after its Last-Event-ID and moves it to the last payment it got. */
    const poll = async () => {
      for (const payment of await reader.payments.since(cursor)) {
        seen.push(payment.orderId);
        cursor = payment.seq;
      }
    };
    const insert = (client: pg.Client, orderId: string) =>
      client.query(
        `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, paid_at)
         VALUES ($1, $1, 'book', 1, 1000, $2, 1)`,
        [orderId, hashOrder(orderId, "book", 1)],
      );
    const a = await connect();
    const b = await connect();
    try {
      // 1. The lower seq commits last: worker A holds "late" (seq n) while worker B's ledger commits "early" (n + 1).
      await a.query("BEGIN");
      await insert(a, "late");
      await reader.payments.recordBatch([entry("early")]);
      await poll();
      await a.query("COMMIT");
      await poll();
      // 2. Transaction ids and seqs in opposite orders: B takes its id first, A inserts first, B commits first.
      await b.query("BEGIN");
      await b.query("SELECT pg_current_xact_id()");
      await a.query("BEGIN");
      await insert(a, "late-2");
      await insert(b, "early-2");
      await b.query("COMMIT");
      await poll();
      await a.query("COMMIT");
      await poll();
    } finally {
      await a.end();
      await b.end();
    }
    // pg_snapshot_xmin is server-wide: a transaction of another client of this server (another
    // test run, another database) delays what since() serves. A reader keeps polling; so does this one.
    for (const deadline = Date.now() + 20_000; seen.length < 4 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await poll();
    }
    assert.deepEqual([...seen].sort(), ["early", "early-2", "late", "late-2"]);
    assert.equal(new Set(seen).size, seen.length, "nothing served twice");
  });
});
