/**
 * What one books tick costs on a big PostgreSQL database: fills a fresh database with N paid
 * orders (generate_series on the server), then times the first pass, a steady tick with a few new
 * orders, and the verification, as scripts/books/tick-cost.ts does on SQLite.
 *
 *   node --conditions=react-server --import tsx scripts/books/tick-cost-pg.ts [orders=1000000] [admin=postgres://postgres@127.0.0.1:5432/postgres]
 *
 * It creates the database warren_books_<random> and drops it at the end.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { Books } from "../../lib/books/books";
import { openPostgresStore } from "../../lib/store/postgres";

const total = Number(process.argv[2] ?? 1_000_000);
const admin = process.argv[3] ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `warren_books_${randomBytes(4).toString("hex")}`;
const base = Date.UTC(2026, 0, 1);

const time = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  console.log(`${what}: ${(performance.now() - started).toFixed(1)} ms`);
  return result;
};

const server = new pg.Client({ connectionString: admin });
await server.connect();
await server.query(`CREATE DATABASE ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const store = openPostgresStore(url.toString(), { max: 4 });
try {
  await store.ready();
  const fill = (from: number, to: number, paid: boolean) =>
    store.pool.query(
      `WITH o AS (
         INSERT INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status)
         SELECT 'bench-' || lpad(i::text, 10, '0'), 'book', 1, 'bench', $3::bigint + i, $3::bigint + i + 5, 'confirmed'
           FROM generate_series($1::bigint, $2::bigint - 1) AS i
         RETURNING order_id, placed_at
       )
       INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at)
       SELECT order_id, order_id, 'book', 1, 1250, md5(order_id), placed_at, placed_at + 20 FROM o WHERE $4`,
      [from, to, base, paid],
    );
  await time(`generate ${total} paid orders`, async () => {
    for (let from = 0; from < total; from += 100_000) await fill(from, Math.min(total, from + 100_000), true);
    await store.pool.query("VACUUM ANALYZE");
  });
  const books = new Books(store.health, { settleMs: 10_000, maxNewPerTick: 2_000_000 });
  const now = base + total + 60_000;
  const first = await time("first pass (every order, once per process start)", () => books.tick(now, 0));
  console.log(`  accepted ${first.accepted}, paid ${first.paid}, difference ${first.difference}`);
  for (let round = 0; round < 3; round++) await time("steady tick, nothing new", () => books.tick(now, 0));
  let steady = first;
  for (let round = 0; round < 3; round++) {
    const extra = total + 1_000_000_000 + round * 100;
    await fill(extra, extra + 100, false);
    steady = await time("steady tick, 100 new orders (confirmed, unpaid)", () =>
      books.tick(now + 1, 100 * (round + 1)),
    );
  }
  for (let round = 0; round < 3; round++)
    await time("steady tick, 100 open orders re-read", () => books.tick(now + 2 + round, 300));
  console.log(`  accepted ${steady.accepted}, waiting ${steady.waiting}, difference ${steady.difference}`);
  for (let round = 0; round < 3; round++)
    await time("verification (ledger totals: two COUNTs)", () => store.health.placedAndPaid());
} finally {
  await store.close();
  await server.query(`DROP DATABASE IF EXISTS ${name}`);
  await server.end();
}
