/**
 * `npx tsx scripts/bench/store.ts [orders] [batch] [inFlight]`: order intake and ledger
 * batch recording, rows per second, on SQLite and on PostgreSQL in the same run (the
 * ratio is the figure to read: the machine's load moves both). Not part of `npm test`.
 *
 * Intake: batches of `batch` orders (the orders of one event-loop turn) through
 * store.orders.accept, each followed by durable(), as the outbox does, `inFlight` at once.
 * Ledger: the same orders as deliveries, recordBatch + durable() per batch, as the consumer does.
 * PostgreSQL: the machine's server (WARREN_TEST_PG_URL), a database created for the run and
 * dropped after; SQLite: a file in a temp dir, removed after.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashOrder } from "../../lib/payments/decide";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { NewOrder, WarrenStore } from "../../lib/store/store";
import { createTestDatabase } from "../../test/helpers/pg-database";

const total = Number(process.argv[2] ?? 20_000);
const batchSize = Number(process.argv[3] ?? 100);
const inFlight = Number(process.argv[4] ?? 4);

function batches(prefix: string): NewOrder[][] {
  const all: NewOrder[][] = [];
  for (let start = 0; start < total; start += batchSize) {
    const batch: NewOrder[] = [];
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const order = {
        orderId: `${prefix}-${String(i).padStart(8, "0")}`,
        item: "book",
        quantity: 1,
        placedAt: Date.now(),
      };
      batch.push({ order, source: "api", body: JSON.stringify(order) });
    }
    all.push(batch);
  }
  return all;
}

/** Runs `work` over every batch, `inFlight` at a time; rows per second. */
async function rate<T>(items: T[][], work: (batch: T[]) => Promise<void>): Promise<number> {
  const queue = [...items];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) await work(batch);
    }),
  );
  const rows = items.reduce((n, b) => n + b.length, 0);
  return rows / ((performance.now() - started) / 1000);
}

async function measure(store: WarrenStore, prefix: string) {
  const orders = batches(prefix);
  const lease = { owner: "bench", until: Date.now() + 60_000 };
  const intake = await rate(orders, async (batch) => {
    await store.orders.accept({ orders: batch, lease, outcomes: [], at: Date.now() }, (_n, at) => at + 1000);
    await store.durable();
  });
  const ledger = await rate(orders, async (batch) => {
    await store.payments.recordBatch(
      batch.map(({ order }) => ({
        order: { ...order, bodyHash: hashOrder(order.orderId, order.item, order.quantity) },
        messageId: order.orderId,
        redelivered: false,
      })),
    );
    await store.durable();
  });
  const counts = await store.payments.counts();
  if (counts.payments !== total) throw new Error(`expected ${total} payments, found ${counts.payments}`);
  return { intake, ledger };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "warren-store-bench-"));
  const database = await createTestDatabase("warren_bench");
  const results: Record<string, { intake: number; ledger: number }> = {};
  try {
    const sqlite = openSqliteStore(join(dir, "bench.db"), { checkpoints: true });
    try {
      results.sqlite = await measure(sqlite, "s");
    } finally {
      await sqlite.close();
    }
    const postgres = openPostgresStore(database.url(), { max: Math.max(4, inFlight) });
    try {
      results.postgres = await measure(postgres, "p");
    } finally {
      await postgres.close();
    }
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (n: number) => `${Math.round(n).toLocaleString("en")}/s`;
  console.log(`${total} orders, batches of ${batchSize}, ${inFlight} batches in flight`);
  console.log("store      intake       ledger");
  for (const [name, r] of Object.entries(results))
    console.log(`${name.padEnd(10)} ${fmt(r.intake).padEnd(12)} ${fmt(r.ledger)}`);
  const { sqlite, postgres } = results;
  if (sqlite && postgres) {
    console.log(
      `postgres/sqlite: intake ${(postgres.intake / sqlite.intake).toFixed(2)}x, ledger ${(postgres.ledger / sqlite.ledger).toFixed(2)}x`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
