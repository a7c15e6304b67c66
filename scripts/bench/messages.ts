/**
 * `npm run bench:messages`: how long search, move/copy and export take on the real broker.
 * Figures, not assertions (tests assert correctness; speed belongs here). Each run uses queues
 * of its own and deletes them after.
 *
 *   search over 5,000 messages (filter `item = "book" and quantity > 3`), 3 runs
 *   move 1,000 messages queue → queue (rate limit 10,000/s), 3 runs
 *   copy 1,000, export 5,000 as JSON Lines and as CSV (encoded, not written)
 *
 * Env: AMQP_URL (amqp://guest:guest@127.0.0.1:5672).
 */
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { exportMessages, MESSAGE_COLUMNS } from "../../lib/messages/export";
import { parseFilter } from "../../lib/messages/filter";
import { moveMessages } from "../../lib/messages/move";
import { searchQueue } from "../../lib/messages/search";
import { type ExportFormat, rowEncoder } from "../../lib/messages/stream";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const RUNS = 3;
const tag = `bench.messages.${process.pid}.${Date.now()}`;

const link = await new BrokerLink({ url: AMQP_URL, name: "bench-messages", queues: [] }).start();
const publisher = new ConfirmPublisher(link);
await publisher.whenReady(5000);
const raw = await amqp.connect(AMQP_URL);
const ch = await raw.createConfirmChannel();
const made: string[] = [];
const model = () => {
  const m = link.current();
  if (!m) throw new Error("the broker link is down");
  return m;
};

async function queueWith(label: string, count: number): Promise<string> {
  const q = `${tag}.${label}`;
  made.push(q);
  await ch.assertQueue(q, { durable: true });
  for (let i = 0; i < count; i++) {
    const body = {
      orderId: `o-${i}`,
      item: i % 50 === 7 ? "book" : "pen",
      quantity: (i % 9) + 1,
      note: "x".repeat(120),
    };
    ch.sendToQueue(q, Buffer.from(JSON.stringify(body)), { messageId: `m-${i}`, persistent: true });
    if (i % 1000 === 999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  return q;
}

async function drain<T>(gen: AsyncGenerator<T>): Promise<T | undefined> {
  let last: T | undefined;
  for await (const e of gen) last = e;
  return last;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

try {
  const searchQ = await queueWith("search", 5000);
  const searchMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const done = await drain(
      searchQueue(model(), searchQ, {
        filter: parseFilter('item = "book" and quantity > 3'),
        limit: 5000,
        depth: 5000,
      }),
    );
    searchMs.push(performance.now() - t);
    if (done?.type !== "done" || done.read !== 5000) throw new Error(`search read ${JSON.stringify(done)}`);
  }
  console.log(
    `search over 5,000 messages: median ${seconds(median(searchMs))} s (runs: ${searchMs.map(seconds).join(", ")})`,
  );

  for (const format of ["jsonl", "csv"] as ExportFormat[]) {
    const encode = rowEncoder(format, MESSAGE_COLUMNS);
    const t = performance.now();
    let bytes = 0;
    for await (const row of exportMessages(model(), searchQ, { all: true }, 5000)) bytes += encode(row).length;
    console.log(
      `export 5,000 messages as ${format}: ${seconds(performance.now() - t)} s (${(bytes / 1e6).toFixed(1)} MB)`,
    );
  }

  for (const mode of ["move", "copy"] as const) {
    const times: number[] = [];
    for (let r = 0; r < (mode === "move" ? RUNS : 1); r++) {
      const from = await queueWith(`${mode}-from-${r}`, 1000);
      const to = `${tag}.${mode}-to-${r}`;
      made.push(to);
      await ch.assertQueue(to, { durable: true });
      const t = performance.now();
      const done = await drain(
        moveMessages(model(), publisher, from, {
          mode,
          target: { queue: to },
          selection: { all: true },
          limit: 10_000,
          ratePerSecond: 10_000,
          depth: 1000,
        }),
      );
      times.push(performance.now() - t);
      const [left, arrived] = [(await ch.checkQueue(from)).messageCount, (await ch.checkQueue(to)).messageCount];
      if (done?.type !== "done" || done.done !== 1000 || arrived !== 1000 || left !== (mode === "move" ? 0 : 1000)) {
        throw new Error(`${mode}: ${JSON.stringify(done)}, source ${left}, target ${arrived}`);
      }
    }
    console.log(`${mode} 1,000 messages: median ${seconds(median(times))} s (runs: ${times.map(seconds).join(", ")})`);
  }
} finally {
  for (const q of made) await ch.deleteQueue(q).catch(() => {});
  await raw.close().catch(() => {});
  await link.close();
}
