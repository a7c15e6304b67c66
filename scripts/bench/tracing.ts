/**
 * What distributed tracing costs (issue 12, part 8): the same in-process web Warren
 * (order door → outbox → relay → broker → consumer → SQLite ledger) takes N orders
 * with tracing off and on, twice each (exporting OTLP/HTTP JSON to a sink in this process),
 * and prints orders/s, CPU per order, spans per order and exported bytes per order.
 *
 *   tsx --conditions=react-server scripts/bench/tracing.ts [orders=4000] [concurrency=32]
 *
 * Needs the broker (AMQP_URL); uses queues and a temp database of its own, removed after.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { parseEnv } from "../../lib/config/env";
import { orders } from "../../lib/orders";
import { createWarren } from "../../lib/process/warren";
import { startTracing } from "../../lib/tracing/setup";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const total = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 32);

async function sink() {
  const seen = { spans: 0, bytes: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.bytes += body.length;
      seen.spans += (body.toString().match(/"spanId"/g) ?? []).length;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { seen, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function run(label: string, traced: boolean, endpoint?: string) {
  const dir = mkdtempSync(join(tmpdir(), "warren-bench-tracing-"));
  const queue = `bench.tracing.${label}.${process.pid}.${Date.now()}`;
  const config = parseEnv({
    AMQP_URL,
    ORDER_QUEUE: queue,
    WARREN_DB_PATH: join(dir, "warren.db"),
    RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  });
  const warren = createWarren(config, "web", { log: () => {} });
  try {
    while (!(warren.consumer?.stats.running && warren.publisher.ready)) await new Promise((r) => setTimeout(r, 50));
    const startedAt = performance.now();
    const cpu = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          // As an HTTP client that sends its own trace context.
          const headers = new Headers(
            traced ? { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` } : {},
          );
          await orders.accept({ item: "bench", quantity: 1 }, "api", { headers });
        }
      }),
    );
    while ((warren.consumer?.stats.paid ?? 0) < total) await new Promise((r) => setTimeout(r, 20));
    const ms = performance.now() - startedAt;
    const used = process.cpuUsage(cpu);
    return {
      label,
      ordersPerS: Math.round(total / (ms / 1000)),
      cpuMsPerOrder: (used.user + used.system) / 1000 / total,
    };
  } finally {
    await warren.close();
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(`${queue}.dlq`).catch(() => {});
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Alternated (off, on, off, on): the first run also warms the JIT and the broker's queue code.
const collector = await sink();
const results = [];
for (const round of [1, 2]) {
  results.push(await run(`off${round}`, false));
  const tracing = await startTracing({ endpoint: collector.endpoint, serviceName: "warren-bench" });
  results.push(await run(`on${round}`, true, collector.endpoint));
  await tracing.shutdown();
}
collector.server.close();
console.log(
  `tracing bench: ${total} orders, ${concurrency} at a time, paid end to end (in-process web Warren, SQLite)`,
);
for (const r of results) {
  console.log(`  tracing ${r.label.padEnd(4)}  ${r.ordersPerS} orders/s  ${r.cpuMsPerOrder.toFixed(3)} CPU ms/order`);
}
console.log(
  `  exported: ${(collector.seen.spans / (2 * total)).toFixed(2)} spans/order, ${Math.round(collector.seen.bytes / (2 * total))} bytes/order (OTLP JSON)`,
);
