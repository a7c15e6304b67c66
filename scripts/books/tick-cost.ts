/**
 * What one books tick costs on a big SQLite database: builds (or reuses) a file
 * with N paid orders, then times the first pass, a steady tick with a few new
 * orders, and the verification (the ledger's totals).
 *
 *   node --import tsx scripts/books/tick-cost.ts [orders=1000000] [file=data/books-1m.db]
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Books } from "../../lib/books/books";
import { hashOrder } from "../../lib/payments/decide";
import { openSqliteStore } from "../../lib/store/sqlite";

const total = Number(process.argv[2] ?? 1_000_000);
const file = process.argv[3] ?? "data/books-1m.db";
const fresh = !existsSync(file);
const store = openSqliteStore(file);
const { db } = store;
const base = Date.UTC(2026, 0, 1);

function fill(from: number, to: number, paid: boolean) {
  const order = db.prepare(
    "INSERT INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status) VALUES (?, 'book', 1, 'bench', ?, ?, 'confirmed')",
  );
  const payment = db.prepare(
    `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at)
     VALUES (?, ?, 'book', 1, 1250, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = from; i < to; i++) {
      const id = `bench-${String(i).padStart(8, "0")}`;
      const at = base + i;
      order.run(id, at, at + 5);
      if (paid) payment.run(id, id, hashOrder(id, "book", 1), at, at + 20);
    }
  })();
}

const time = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  console.log(`${what}: ${(performance.now() - started).toFixed(1)} ms`);
  return result;
};

if (fresh) await time(`generate ${total} paid orders`, async () => fill(0, total, true));
const books = new Books(store.health, { settleMs: 10_000, maxNewPerTick: 2_000_000 });
const now = base + total + 60_000;
const first = await time("first pass (every order, once per process start)", () => books.tick(now, 0));
console.log(`  accepted ${first.accepted}, paid ${first.paid}, difference ${first.difference}`);
await time("steady tick, nothing new", () => books.tick(now, 0));
const extra = total + 1_000_000_000;
fill(extra, extra + 100, false);
const steady = await time("steady tick, 100 new orders (confirmed, unpaid)", () => books.tick(now + 1, 100));
await time("steady tick, 100 open orders re-read", () => books.tick(now + 2, 100));
console.log(`  accepted ${steady.accepted}, waiting ${steady.waiting}, difference ${steady.difference}`);
await time("verification (ledger totals: two COUNTs)", () => store.health.placedAndPaid());
db.prepare("DELETE FROM payments WHERE order_id LIKE 'bench-1%'").run();
db.prepare("DELETE FROM orders WHERE order_id LIKE 'bench-1%'").run();
await store.close();
