import http from "node:http";
import { ManagementClient } from "../../lib/queues/management";
import { metricValue, scrapeMetrics } from "./metrics";
import {
  atFixedRate,
  connectAny,
  post,
  processCpuMs,
  round,
  runQueueWaitMs,
  SseClient,
  type SseEvent,
  type Summary,
  sleep,
  summarize,
  waitFor,
} from "./util";

interface PaymentEvent {
  orderId: string;
  paidAt: number;
  seq: number;
}

export interface ServerStats {
  rss: number;
  samplesTaken: number;
  managementCalls: number;
  sseClients: number;
  /** The event loop's delay since the previous scrape (prom-client resets its histogram on each), ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** The server's counters, from its Prometheus endpoint. */
export async function serverStats(baseUrl: string): Promise<ServerStats> {
  const metrics = await scrapeMetrics(baseUrl);
  const value = (name: string) => metricValue(metrics, name) ?? 0;
  return {
    rss: value("process_resident_memory_bytes"),
    samplesTaken: value("warren_queue_samples_total"),
    managementCalls: value("warren_management_calls_total"),
    sseClients: value("warren_sse_clients"),
    loopDelayMs: {
      p50: value("nodejs_eventloop_lag_p50_seconds") * 1000,
      p99: value("nodejs_eventloop_lag_p99_seconds") * 1000,
      max: value("nodejs_eventloop_lag_max_seconds") * 1000,
    },
  };
}

/**
 * One dashboard-like SSE client kept open through the Warren phases: it
 * timestamps every payment and queue-depth event it sees.
 */
export class Observer {
  readonly payments = new Map<string, { at: number; paidAt: number }>();
  readonly paymentTimes: number[] = [];
  readonly depths: Array<{ at: number; sampledAt: number; depth: Map<string, number | null> }> = [];
  private readonly listeners = new Set<(p: PaymentEvent, at: number) => void>();
  private client: SseClient;

  constructor(baseUrl: string) {
    this.client = new SseClient(`${baseUrl}/api/events`, (event) => this.onEvent(event));
  }

  open() {
    return this.client.open();
  }

  close() {
    this.client.close();
  }

  onPayment(listener: (p: PaymentEvent, at: number) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onEvent({ event, data, at }: SseEvent) {
    if (event === "payment") {
      const payment = JSON.parse(data) as PaymentEvent;
      this.payments.set(payment.orderId, { at, paidAt: payment.paidAt });
      this.paymentTimes.push(at);
      for (const listener of this.listeners) listener(payment, at);
    } else if (event === "queues") {
      const sample = JSON.parse(data) as { at: number; queues: Array<{ name: string; ready: number | null }> };
      this.depths.push({ at, sampledAt: sample.at, depth: new Map(sample.queues.map((q) => [q.name, q.ready])) });
    }
  }

  /** Payment events that arrived in [from, to]. */
  paymentsBetween(from: number, to: number) {
    let n = 0;
    let last = from;
    for (const at of this.paymentTimes) {
      if (at >= from && at <= to) {
        n++;
        last = Math.max(last, at);
      }
    }
    return { n, last };
  }
}

export interface LatencyAtRate {
  rate: number;
  offered: number;
  achieved: number;
  accepted: number;
  failed: number;
  /** Why requests failed: HTTP status or error message, with counts. */
  failures: Record<string, number>;
  unmatched: number;
  latency: Summary;
  /** Where the time goes: send → server placedAt, placedAt → committed payment, commit → SSE arrival. */
  breakdown: { ingress: Summary; pipeline: Summary; delivery: Summary };
  /** The server's event-loop delay over this rate's window (ms): stalls inside the process show here. */
  serverLoopDelayMs: { p50: number | null; p99: number | null; max: number | null };
  /** Per second of the window: CPU the server used, and time its event loop waited for a CPU (ms). */
  serverCpuMsPerSecond: number | null;
  serverRunQueueWaitMsPerSecond: number | null;
}

/**
 * Open-loop fixed-rate orders over HTTP; each order's latency is from its
 * scheduled send time until its payment arrives on the SSE stream.
 */
export async function latencyAtRates(opts: {
  baseUrl: string;
  serverPid?: number;
  observer: Observer;
  rates: number[];
  durationMs: number;
  log: (line: string) => void;
}): Promise<LatencyAtRate[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const url = new URL(`${opts.baseUrl}/api/orders`);
  const body = JSON.stringify({ item: "book", quantity: 1 });
  const results: LatencyAtRate[] = [];
  try {
    for (const rate of opts.rates) {
      const sentAt = new Map<string, { scheduledAt: number; placedAt: number }>();
      const latencies: number[] = [];
      const ingress: number[] = [];
      const pipeline: number[] = [];
      const delivery: number[] = [];
      let accepted = 0;
      let failed = 0;
      const failures: Record<string, number> = {};
      const fail = (why: string) => {
        failed++;
        failures[why] = (failures[why] ?? 0) + 1;
      };
      const pending: Array<Promise<void>> = [];
      // A scrape starts a new event-loop-delay window.
      await serverStats(opts.baseUrl);
      const cpuBefore = processCpuMs(opts.serverPid);
      const waitBefore = runQueueWaitMs(opts.serverPid);
      const started = Date.now();
      const offered = await atFixedRate(rate, opts.durationMs, (scheduledAt) => {
        pending.push(
          post(agent, url, body, { "content-type": "application/json" }).then(
            (res) => {
              if (res.status !== 202) {
                fail(`HTTP ${res.status}: ${res.body.slice(0, 120)}`);
                return;
              }
              accepted++;
              const { orderId, placedAt } = JSON.parse(res.body) as { orderId: string; placedAt: number };
              sentAt.set(orderId, { scheduledAt, placedAt });
            },
            (error: Error) => fail(error.message),
          ),
        );
      });
      await Promise.all(pending);
      const sendSeconds = (Date.now() - started) / 1000;
      const cpuAfter = processCpuMs(opts.serverPid);
      const waitAfter = runQueueWaitMs(opts.serverPid);
      const loop = (await serverStats(opts.baseUrl)).loopDelayMs;
      await waitFor(() => [...sentAt.keys()].every((id) => opts.observer.payments.has(id)), 10_000, 20);
      let unmatched = 0;
      for (const [orderId, { scheduledAt, placedAt }] of sentAt) {
        const seen = opts.observer.payments.get(orderId);
        if (!seen) {
          unmatched++;
          continue;
        }
        latencies.push(seen.at - scheduledAt);
        ingress.push(placedAt - scheduledAt);
        pipeline.push(seen.paidAt - placedAt);
        delivery.push(seen.at - seen.paidAt);
      }
      const row: LatencyAtRate = {
        rate,
        offered,
        achieved: round(accepted / sendSeconds) ?? 0,
        accepted,
        failed,
        failures,
        unmatched,
        latency: summarize(latencies),
        breakdown: { ingress: summarize(ingress), pipeline: summarize(pipeline), delivery: summarize(delivery) },
        serverLoopDelayMs: { p50: round(loop.p50), p99: round(loop.p99), max: round(loop.max) },
        serverCpuMsPerSecond:
          cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / sendSeconds),
        serverRunQueueWaitMsPerSecond:
          waitBefore === null || waitAfter === null ? null : round((waitAfter - waitBefore) / sendSeconds),
      };
      const b = row.breakdown;
      opts.log(
        `  p99 split: send → placed ${b.ingress.p99} ms, placed → paid ${b.pipeline.p99} ms, paid → on SSE ${b.delivery.p99} ms; server event-loop delay p99 ${row.serverLoopDelayMs.p99} ms, max ${row.serverLoopDelayMs.max} ms; server CPU ${row.serverCpuMsPerSecond} ms/s, waited for a CPU ${row.serverRunQueueWaitMsPerSecond} ms/s`,
      );
      opts.log(
        `place → payment on SSE at ${rate}/s: p50 ${row.latency.p50} ms, p95 ${row.latency.p95} ms, p99 ${row.latency.p99} ms (${accepted} accepted, ${failed} failed${failed > 0 ? ` ${JSON.stringify(failures)}` : ""}, ${unmatched} unmatched)`,
      );
      results.push(row);
      await sleep(300);
    }
  } finally {
    agent.destroy();
  }
  return results;
}

export interface FanOutResult {
  clients: number;
  connected: number;
  connectSeconds: number;
  events: number;
  arrivals: number;
  missing: number;
  fanOut: Summary;
  singleClient: Summary;
  rssBeforeMb: number;
  rssAfterMb: number;
  extraRssMb: number;
  idle: { samplesPerSecond: number; managementCallsPerSecond: number; sseClients: number };
  loaded: { samplesPerSecond: number; managementCallsPerSecond: number; sseClients: number };
}

async function statsRate(baseUrl: string, windowMs: number) {
  const a = await serverStats(baseUrl);
  await sleep(windowMs);
  const b = await serverStats(baseUrl);
  const seconds = windowMs / 1000;
  return {
    samplesPerSecond: round((b.samplesTaken - a.samplesTaken) / seconds, 2) ?? 0,
    managementCallsPerSecond: round((b.managementCalls - a.managementCalls) / seconds, 2) ?? 0,
    sseClients: b.sseClients,
    rss: b.rss,
  };
}

/**
 * N concurrent SSE clients: how long one payment event takes to reach all of
 * them, what they cost the server in memory, and whether the server's broker
 * and management calls stay flat (they must not scale with viewers).
 */
export async function fanOut(opts: {
  baseUrl: string;
  observer: Observer;
  clients: number;
  events: number;
  statsWindowMs: number;
  log: (line: string) => void;
}): Promise<FanOutResult> {
  const { baseUrl, observer } = opts;
  const idle = await statsRate(baseUrl, opts.statsWindowMs);
  const arrivals = new Map<string, number[]>();
  const clients: SseClient[] = [];
  const onEvent = ({ event, data, at }: SseEvent) => {
    if (event !== "payment") return;
    const { orderId } = JSON.parse(data) as PaymentEvent;
    // Kept whether or not the POST has answered yet: the payment may win that race.
    const list = arrivals.get(orderId) ?? [];
    list.push(at);
    arrivals.set(orderId, list);
  };
  try {
    const started = Date.now();
    for (let i = 0; i < opts.clients; i += 50) {
      const batch: SseClient[] = [];
      for (let j = i; j < Math.min(opts.clients, i + 50); j++)
        batch.push(new SseClient(`${baseUrl}/api/events`, onEvent));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.open().catch(() => {})));
    }
    // Each client's first event is its snapshot: once all have one, all are subscribed.
    await waitFor(() => clients.every((c) => c.events > 0 || c.closed), 30_000, 50);
    const connected = clients.filter((c) => c.events > 0 && !c.closed).length;
    const connectSeconds = (Date.now() - started) / 1000;
    opts.log(`fan-out: ${connected}/${opts.clients} SSE clients subscribed in ${connectSeconds.toFixed(1)} s`);
    const loaded = await statsRate(baseUrl, opts.statsWindowMs);

    const fan: number[] = [];
    const single: number[] = [];
    let missing = 0;
    for (let k = 0; k < opts.events; k++) {
      const res = await fetch(`${baseUrl}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item: "fan-out", quantity: 1 }),
      });
      const { orderId } = (await res.json()) as { orderId: string };
      const arrived = () => arrivals.get(orderId) ?? [];
      await waitFor(() => arrived().length >= connected && observer.payments.has(orderId), 10_000, 5);
      const list = arrived();
      const seen = observer.payments.get(orderId);
      if (seen) {
        single.push(seen.at - seen.paidAt);
        for (const at of list) fan.push(at - seen.paidAt);
      }
      missing += Math.max(0, connected - list.length);
      await sleep(200);
    }
    const after = await serverStats(baseUrl);
    const rssAfter = Math.max(after.rss, loaded.rss);
    const result: FanOutResult = {
      clients: opts.clients,
      connected,
      connectSeconds: round(connectSeconds, 2) ?? 0,
      events: opts.events,
      arrivals: fan.length,
      missing,
      fanOut: summarize(fan),
      singleClient: summarize(single),
      rssBeforeMb: round(idle.rss / 1e6) ?? 0,
      rssAfterMb: round(rssAfter / 1e6) ?? 0,
      extraRssMb: round((rssAfter - idle.rss) / 1e6) ?? 0,
      idle: {
        samplesPerSecond: idle.samplesPerSecond,
        managementCallsPerSecond: idle.managementCallsPerSecond,
        sseClients: idle.sseClients,
      },
      loaded: {
        samplesPerSecond: loaded.samplesPerSecond,
        managementCallsPerSecond: loaded.managementCallsPerSecond,
        sseClients: loaded.sseClients,
      },
    };
    opts.log(
      `fan-out: p99 ${result.fanOut.p99} ms to all ${connected} clients (1 client: p99 ${result.singleClient.p99} ms), +${result.extraRssMb} MB RSS, samples/s ${idle.samplesPerSecond} → ${loaded.samplesPerSecond}, management calls/s ${idle.managementCallsPerSecond} → ${loaded.managementCallsPerSecond}`,
    );
    return result;
  } finally {
    for (const client of clients) client.close();
  }
}

export interface DepthLagResult {
  queue: string;
  seconds: number;
  peakDepth: number;
  dashboard: Summary;
  management: Summary;
  truthSamples: number;
  dashboardSamples: number;
  managementSamples: number;
}

type Series = Array<{ at: number; value: number }>;

/**
 * How long ago the broker's depth was the value the display shows at `t`:
 * 0 if it still is, else the last time the broker's series was at (or
 * crossed) that value. Null when the broker never had it in the window.
 */
function lagAt(truth: Series, shown: number, t: number): number | null {
  let i = truth.length - 1;
  while (i >= 0 && (truth[i]?.at ?? 0) > t) i--;
  if (i < 0) return null;
  if (truth[i]?.value === shown) return 0;
  for (; i >= 1; i--) {
    const a = truth[i - 1];
    const b = truth[i];
    if (!a || !b) continue;
    if (a.value === shown) return t - a.at;
    const lo = Math.min(a.value, b.value);
    const hi = Math.max(a.value, b.value);
    if (shown > lo && shown < hi) {
      const s = a.at + ((shown - a.value) / (b.value - a.value)) * (b.at - a.at);
      return t - s;
    }
  }
  return null;
}

function lagSeries(truth: Series, shown: Series, from: number, to: number, stepMs = 20): number[] {
  const lags: number[] = [];
  let j = -1;
  for (let t = from; t <= to; t += stepMs) {
    while (j + 1 < shown.length && (shown[j + 1]?.at ?? Number.POSITIVE_INFINITY) <= t) j++;
    const current = shown[j];
    if (!current) continue;
    const lag = lagAt(truth, current.value, t);
    if (lag !== null) lags.push(lag);
  }
  return lags;
}

/**
 * Queue depth on the dashboard vs the broker: while the depth of a queue
 * changes (filled at a steady rate, held, drained, held), compare the SSE
 * `queues` events, and the management API, against a direct checkQueue
 * series taken every 50 ms.
 */
export async function depthLag(opts: {
  amqpUrl: string;
  managementUrl: string;
  queue: string;
  observer: Observer;
  ratePerSecond: number;
  rampMs: number;
  holdMs: number;
  tailMs: number;
  log: (line: string) => void;
}): Promise<DepthLagResult> {
  const { queue, observer } = opts;
  const conn = await connectAny(opts.amqpUrl, { noDelay: true });
  const truthCh = await conn.createChannel();
  const pubCh = await conn.createConfirmChannel();
  const getCh = await conn.createChannel();
  const truth: Series = [];
  const management: Series = [];
  const client = new ManagementClient({ baseUrl: opts.managementUrl, amqpUrl: opts.amqpUrl, timeoutMs: 2000 });
  let polling = true;
  try {
    await truthCh.purgeQueue(queue);
    const truthLoop = (async () => {
      while (polling) {
        const ok = await truthCh.checkQueue(queue);
        truth.push({ at: Date.now(), value: ok.messageCount });
        await sleep(50);
      }
    })();
    const managementLoop = (async () => {
      while (polling) {
        // The management API is optional (null when it does not answer); its lag is then reported as missing.
        const row = await client.getQueue(queue);
        if (typeof row?.messages_ready === "number") management.push({ at: Date.now(), value: row.messages_ready });
        await sleep(250);
      }
    })();
    // Let the dashboard show the empty queue first.
    await sleep(1500);
    const from = Date.now();
    await atFixedRate(opts.ratePerSecond, opts.rampMs, () => {
      pubCh.sendToQueue(queue, Buffer.from('{"bench":"depth"}'), { persistent: false });
    });
    await pubCh.waitForConfirms();
    const peakDepth = (await truthCh.checkQueue(queue)).messageCount;
    await sleep(opts.holdMs);
    await atFixedRate(opts.ratePerSecond, opts.rampMs, () => {
      void getCh.get(queue, { noAck: true });
    });
    await sleep(200);
    await getCh.purgeQueue(queue);
    await sleep(opts.tailMs);
    const to = Date.now();
    polling = false;
    await truthLoop;
    await managementLoop;

    const shown: Series = observer.depths
      .map((d) => ({ at: d.at, value: d.depth.get(queue) }))
      .filter((d): d is { at: number; value: number } => typeof d.value === "number");
    const dashboardLags = lagSeries(truth, shown, from, to);
    const managementLags = lagSeries(truth, management, from, to);
    const result: DepthLagResult = {
      queue,
      seconds: round((to - from) / 1000, 1) ?? 0,
      peakDepth,
      dashboard: summarize(dashboardLags),
      management: summarize(managementLags),
      truthSamples: truth.length,
      dashboardSamples: shown.filter((s) => s.at >= from && s.at <= to).length,
      managementSamples: management.length,
    };
    opts.log(
      `depth lag: dashboard p95 ${result.dashboard.p95} ms, management API p95 ${result.management.p95} ms (peak depth ${peakDepth})`,
    );
    return result;
  } finally {
    polling = false;
    await conn.close().catch(() => {});
  }
}
