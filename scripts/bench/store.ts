/**
 * `npx tsx scripts/bench/store.ts [orders] [batch] [inFlight] [rounds]`: order intake and
 * ledger batch recording, rows per second, on SQLite and on PostgreSQL in the same run,
 * in interleaved rounds; the median of the per-round ratios is the figure to read (the
 * machine's load moves both, and drifts between rounds). Not part of `npm test`.
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
const rounds = Number(process.argv[5] ?? 5);

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
  const paid = (await store.payments.recent(total)).filter((p) => p.orderId.startsWith(`${prefix}-`)).length;
  if (paid !== total) throw new Error(`expected ${total} payments, found ${paid}`);
  return { intake, ledger };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "warren-store-bench-"));
  const database = await createTestDatabase("warren_bench");
  const runs: Array<{ sqlite: { intake: number; ledger: number }; postgres: { intake: number; ledger: number } }> = [];
  try {
    const sqlite = openSqliteStore(join(dir, "bench.db"), { checkpoints: true });
    const postgres = openPostgresStore(database.url(), { max: Math.max(4, inFlight) });
    try {
      for (let round = 0; round < rounds; round++) {
        runs.push({ sqlite: await measure(sqlite, `s${round}`), postgres: await measure(postgres, `p${round}`) });
      }
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (n: number) => `${Math.round(n).toLocaleString("en")}/s`;
  console.log(`${total} orders per round, batches of ${batchSize}, ${inFlight} batches in flight, ${rounds} rounds`);
  console.log("round  sqlite intake  postgres intake  ratio   sqlite ledger  postgres ledger  ratio");
  runs.forEach(({ sqlite, postgres }, i) => {
    console.log(
      `${String(i + 1).padEnd(6)} ${fmt(sqlite.intake).padEnd(14)} ${fmt(postgres.intake).padEnd(16)} ${(postgres.intake / sqlite.intake).toFixed(2).padEnd(7)} ${fmt(sqlite.ledger).padEnd(14)} ${fmt(postgres.ledger).padEnd(16)} ${(postgres.ledger / sqlite.ledger).toFixed(2)}`,
    );
  });
  const med = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
  console.log(
    `median ${fmt(med((r) => r.sqlite.intake)).padEnd(14)} ${fmt(med((r) => r.postgres.intake)).padEnd(16)} ${med(
      (r) => r.postgres.intake / r.sqlite.intake,
    )
      .toFixed(2)
      .padEnd(
        7,
      )} ${fmt(med((r) => r.sqlite.ledger)).padEnd(14)} ${fmt(med((r) => r.postgres.ledger)).padEnd(16)} ${med((r) => r.postgres.ledger / r.sqlite.ledger).toFixed(2)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
