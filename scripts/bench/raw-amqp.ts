import { randomUUID } from "node:crypto";
import type { ConfirmChannel } from "amqplib";
import { atFixedRate, connectAny, round, type Summary, sleep, summarize, waitFor } from "./util";

/**
 * The broker's own ceiling on this machine: plain amqplib, one long-lived
 * connection, a confirm channel with a window of unconfirmed publishes.
 */

const WINDOW = 1000;

function orderBody(): Buffer {
  const orderId = randomUUID();
  return Buffer.from(JSON.stringify({ orderId, item: "book", quantity: 1, placedAt: Date.now() }));
}

/** Publishes persistent messages for `durationMs` keeping at most WINDOW unconfirmed. */
async function publishWindowed(channel: ConfirmChannel, queue: string, durationMs: number): Promise<number> {
  let inFlight = 0;
  let confirmed = 0;
  let failed = 0;
  let wake: (() => void) | null = null;
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    if (inFlight >= WINDOW) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      continue;
    }
    inFlight++;
    const ok = channel.sendToQueue(queue, orderBody(), { persistent: true, contentType: "application/json" }, (err) => {
      inFlight--;
      if (err) failed++;
      else confirmed++;
      const w = wake;
      wake = null;
      w?.();
    });
    if (!ok) await new Promise<void>((resolve) => channel.once("drain", () => resolve()));
    // Let confirms be read from the socket now and then.
    if ((confirmed + inFlight) % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await channel.waitForConfirms();
  if (failed > 0) throw new Error(`${failed} raw publishes were nacked`);
  return confirmed;
}

export interface RawResult {
  publishPerSecond: number;
  endToEndPerSecond: number;
  latency: Array<{ rate: number; achieved: number; latency: Summary }>;
}

export async function runRawBaseline(opts: {
  url: string;
  prefix: string;
  durationMs: number;
  rates: number[];
  rateDurationMs: number;
  log: (line: string) => void;
}): Promise<RawResult> {
  const { url, prefix, durationMs, log } = opts;
  const pubConn = await connectAny(url, { noDelay: true });
  const subConn = await connectAny(url, { noDelay: true });
  const pubQueue = `${prefix}.raw.publish`;
  const e2eQueue = `${prefix}.raw.e2e`;
  const admin = await pubConn.createChannel();
  try {
    await admin.assertQueue(pubQueue, { durable: true });
    await admin.assertQueue(e2eQueue, { durable: true });
    await admin.purgeQueue(pubQueue);
    await admin.purgeQueue(e2eQueue);

    // 1. Confirmed persistent publishes per second, nobody consuming.
    const confirm = await pubConn.createConfirmChannel();
    const started = Date.now();
    const published = await publishWindowed(confirm, pubQueue, durationMs);
    const publishPerSecond = published / ((Date.now() - started) / 1000);
    log(`raw publish: ${Math.round(publishPerSecond)} confirmed persistent publishes/s`);
    await admin.purgeQueue(pubQueue);

    // 2. Publish -> consume -> ack, end to end (rate of acked messages).
    const sub = await subConn.createChannel();
    await sub.prefetch(100);
    let consumed = 0;
    let lastAt = 0;
    const latencies: number[] = [];
    let measuring = false;
    await sub.consume(e2eQueue, (message) => {
      if (!message) return;
      consumed++;
      lastAt = Date.now();
      if (measuring) {
        const sentAt = Number(message.properties.headers?.["x-sent-at"] ?? 0);
        if (sentAt > 0) latencies.push(lastAt - sentAt);
      }
      sub.ack(message);
    });
    const e2eStart = Date.now();
    const sent = await publishWindowed(confirm, e2eQueue, durationMs);
    await waitFor(() => consumed >= sent, 30_000);
    const endToEndPerSecond = consumed / ((lastAt - e2eStart) / 1000);
    log(`raw end to end: ${Math.round(endToEndPerSecond)} msgs/s published, consumed and acked`);

    // 3. The broker hop's latency at the offered rates the Warren latency test uses.
    const latency: RawResult["latency"] = [];
    for (const rate of opts.rates) {
      latencies.length = 0;
      measuring = true;
      const t0 = Date.now();
      const before = consumed;
      const count = await atFixedRate(rate, opts.rateDurationMs, () => {
        confirm.sendToQueue(e2eQueue, orderBody(), {
          persistent: true,
          headers: { "x-sent-at": Date.now() },
        });
      });
      await waitFor(() => consumed - before >= count, 10_000);
      measuring = false;
      latency.push({
        rate,
        achieved: round(count / ((Date.now() - t0) / 1000)) ?? 0,
        latency: summarize(latencies),
      });
      await sleep(100);
    }
    await sub.close();
    await confirm.close();
    return {
      publishPerSecond: round(publishPerSecond) ?? 0,
      endToEndPerSecond: round(endToEndPerSecond) ?? 0,
      latency,
    };
  } finally {
    await admin.deleteQueue(pubQueue).catch(() => {});
    await admin.deleteQueue(e2eQueue).catch(() => {});
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}
