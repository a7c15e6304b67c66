/**
 * `npx tsx scripts/bench/timing.ts [orders] [absorbed]`: what the dashboard's "where the time
 * goes" and "cost of exactly-once" reads cost once a store holds `orders` paid orders
 * (default 1,000,000) and `absorbed` absorbed duplicates, on SQLite and PostgreSQL. The
 * store is filled through its own interface (orders accepted and confirmed, deliveries
 * paid and acked), so every payment lands within the last minutes: the windows then hold
 * the whole table, the worst case for the reads (each still reads LATENCY_SAMPLE rows).
 * `npx tsx scripts/bench/timing.ts 1000000 20000 sqlite` runs one backend. Not part of `npm test`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashOrder } from "../../lib/payments/decide";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { WarrenStore } from "../../lib/store/store";
import { createTestDatabase } from "../../test/helpers/pg-database";

const total = Number(process.argv[2] ?? 1_000_000);
const absorbed = Number(process.argv[3] ?? 20_000);
/** "sqlite", "postgres" or "both" (default). */
const backends = process.argv[4] ?? "both";
const BATCH = 5000;
const SAMPLE = 2000;

async function fill(store: WarrenStore) {
  const started = performance.now();
  for (let start = 0; start < total; start += BATCH) {
    const ids = Array.from(
      { length: Math.min(BATCH, total - start) },
      (_, i) => `o-${String(start + i).padStart(8, "0")}`,
    );
    const at = Date.now();
    const orders = ids.map((orderId) => {
      const order = { orderId, item: "book", quantity: 1, placedAt: at - 50 };
      return { order, source: "api" as const, body: JSON.stringify(order) };
    });
    await store.orders.accept(
      {
        orders,
        lease: { owner: "bench", until: 0 },
        outcomes: ids.map((orderId) => ({ kind: "confirmed" as const, orderId, at: at - 40 })),
        at,
      },
      (_n, t) => t,
    );
    const entries = ids.map((orderId) => ({
      order: { orderId, item: "book", quantity: 1, placedAt: at - 50, bodyHash: hashOrder(orderId, "book", 1) },
      messageId: orderId,
      redelivered: false,
      deliveredAt: at - 30,
    }));
    const outcomes = await store.payments.recordBatch(entries);
    // By the delivery row where the store names it (SQLite has no index by message id).
    await store.payments.recordAcks(
      ids.map((messageId, i) => ({ messageId, deliveryId: outcomes[i]?.deliveryId, at: at + 5 })),
    );
  }
  for (let start = 0; start < absorbed; start += BATCH) {
    const n = Math.min(BATCH, absorbed - start);
    await store.payments.recordBatch(
      Array.from({ length: n }, (_, i) => {
        const orderId = `o-${String((start + i) % total).padStart(8, "0")}`;
        return {
          order: { orderId, item: "book", quantity: 1, placedAt: 0, bodyHash: hashOrder(orderId, "book", 1) },
          messageId: `dup-${start + i}`,
          redelivered: i % 2 === 0,
        };
      }),
    );
  }
  await store.durable();
  return (performance.now() - started) / 1000;
}

async function time(label: string, run: () => Promise<unknown>, repeat = 5) {
  await run(); // warm
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `  ${label}: median ${ms[Math.floor(ms.length / 2)]?.toFixed(1)} ms (min ${ms[0]?.toFixed(1)}, max ${ms.at(-1)?.toFixed(1)})`,
  );
}

async function measure(name: string, store: WarrenStore) {
  const filled = await fill(store);
  console.log(
    `${name}: ${total.toLocaleString("en-US")} paid orders + ${absorbed.toLocaleString("en-US")} absorbed, filled in ${filled.toFixed(0)} s`,
  );
  const now = Date.now();
  await time("latency, last minute (sample 2,000)", () => store.timing.paidSince(now - 60_000, SAMPLE));
  await time("latency, last hour (sample 2,000)", () => store.timing.paidSince(now - 3_600_000, SAMPLE));
  await time("cost of exactly-once, last hour per minute", () => store.timing.absorbedSince(now - 3_600_000));
  await time("hop observer, 500 orders by id", () =>
    store.timing.hopsOf(Array.from({ length: 500 }, (_, i) => `o-${String((i * 997) % total).padStart(8, "0")}`)),
  );
}

if (backends !== "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "warren-timing-"));
  const sqlite = openSqliteStore(join(dir, "timing.db"));
  try {
    await measure("SQLite", sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (backends !== "sqlite") {
  const database = await createTestDatabase("warren_timing");
  const pg = openPostgresStore(database.url(), { max: 4 });
  try {
    await measure("PostgreSQL", pg);
  } finally {
    await pg.close();
    await database.drop();
  }
}
