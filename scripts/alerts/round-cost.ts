/**
 * What one alert evaluation round costs on a big SQLite database: builds (or reuses) a file with
 * N paid orders and D dead-letter sources, then times rounds of the evaluator (its store reads and
 * writes: dead letters in the last minute, the oldest stuck order, the outbox backlog, the open
 * incidents, the due notifications) with nothing firing, and the "who sends" read of the workbench.
 * The first round prunes per-message rows older than 2 h, as the alerts leader does (the totals stay).
 *
 *   node --conditions=react-server --import tsx scripts/alerts/round-cost.ts [orders=1000000] [deadLetters=100000] [file=data/alerts-1m.db]
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { AlertEvaluator } from "../../lib/alerts/evaluator";
import { hashOrder } from "../../lib/payments/decide";
import { openSqliteStore } from "../../lib/store/sqlite";

const total = Number(process.argv[2] ?? 1_000_000);
const deadLetters = Number(process.argv[3] ?? 100_000);
const file = process.argv[4] ?? "data/alerts-1m.db";
const fresh = !existsSync(file);
const store = openSqliteStore(file);
const { db } = store;
const now = Date.now();
const base = now - total - 3_600_000;

if (fresh) {
  const started = performance.now();
  const order = db.prepare(
    "INSERT INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status) VALUES (?, 'book', 1, 'bench', ?, ?, 'confirmed')",
  );
  const payment = db.prepare(
    `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at)
     VALUES (?, ?, 'book', 1, 1250, ?, ?, ?)`,
  );
  const source = db.prepare(
    "INSERT INTO dead_letter_sources (at, reason_group, app_id, user_id, message_id) VALUES (?, ?, ?, ?, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < total; i++) {
      const id = `bench-${String(i).padStart(8, "0")}`;
      const at = base + i;
      order.run(id, at, at + 5);
      payment.run(id, id, hashOrder(id, "book", 1), at, at + 20);
    }
    for (let i = 0; i < deadLetters; i++) {
      // Spread over the last day; 20 reason groups, 10 producers.
      source.run(now - (i % 86_400) * 1000, `schema: field${i % 20}`, `app-${i % 10}`, i % 2 ? "guest" : null, `m${i}`);
    }
  })();
  console.log(
    `generate ${total} paid orders and ${deadLetters} dead-letter sources: ${(performance.now() - started).toFixed(0)} ms`,
  );
}

// The totals per producer, as recordDeadLetter keeps them.
db.exec(`INSERT OR IGNORE INTO dead_letter_producers (reason_group, app_id, user_id, count, first_at, last_at)
         SELECT reason_group, COALESCE(app_id, ''), COALESCE(user_id, ''), COUNT(*), MIN(at), MAX(at)
           FROM dead_letter_sources GROUP BY 1, 2, 3`);

const evaluator = new AlertEvaluator({
  store,
  leader: { check: async () => true, stop: async () => undefined },
  orderQueue: "bench",
  thresholds: { dlqPerMin: 1_000_000, stuckS: 60, outboxAgeS: 60 },
  webhooks: [],
  guard: { enabled: false, dlqPerMin: 100 },
  publisher: null,
  intervalMs: 60_000,
  webhookTimeoutMs: 1000,
  retryBaseMs: 1000,
  books: () => null,
  sample: () => null,
  history: () => [],
  alarms: () => null,
});

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const timeIt = async (what: string, runs: number, work: () => Promise<unknown>) => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  console.log(`${what}: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms (${runs} runs)`);
};

await timeIt("alert round, nothing firing", 20, () => evaluator.round());
await timeIt("who sends (workbench read: the producer totals + the last hour's rows)", 5, () =>
  store.payments.deadLetterSources({ minuteAgo: now - 60_000, hourAgo: now - 3_600_000 }, 500),
);
console.log(`incidents open after the rounds: ${(await store.alerts.firing()).length}`);
await store.close();
