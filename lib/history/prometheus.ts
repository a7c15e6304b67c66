import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { Rates } from "./rates";

/** Counters that only grow (per channel in RabbitMQ; summed here per queue). */
export interface QueueCounters {
  published: number;
  /** Deliveries and basic.gets, acked or not: the management API's deliver_get. */
  delivered: number;
  acked: number;
}

const PUBLISHED = "rabbitmq_queue_messages_published_total";
const DELIVERED = new Set([
  "rabbitmq_channel_messages_delivered_total",
  "rabbitmq_channel_messages_delivered_ack_total",
  "rabbitmq_channel_get_total",
  "rabbitmq_channel_get_ack_total",
]);
const ACKED = "rabbitmq_channel_messages_acked_total";
/** A per-queue gauge: the queue exists (its counters may simply have no channel series yet). */
const PRESENT = "rabbitmq_queue_messages_ready";

/**
 * Per-queue counters from `rabbitmq_prometheus`'s /metrics/per-object text (RabbitMQ 3.10):
 * publishes are `rabbitmq_queue_messages_published_total{channel,queue_vhost,queue,exchange_vhost,exchange}`,
 * deliveries and acks `rabbitmq_channel_*_total{channel,vhost,queue}`. Only queues of `vhost`.
 */
export function queueCounters(text: string, vhost: string): Map<string, QueueCounters> {
  const out = new Map<string, QueueCounters>();
  const entry = (queue: string) => {
    let counters = out.get(queue);
    if (!counters) {
      counters = { published: 0, delivered: 0, acked: 0 };
      out.set(queue, counters);
    }
    return counters;
  };
  for (const family of parsePrometheusTextFormat(text)) {
    const field =
      family.name === PUBLISHED
        ? "published"
        : family.name === ACKED
          ? "acked"
          : DELIVERED.has(family.name)
            ? "delivered"
            : family.name === PRESENT
              ? null
              : undefined;
    if (field === undefined) continue;
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      const queue = labels.queue;
      const sampleVhost = field === "published" ? labels.queue_vhost : labels.vhost;
      if (queue === undefined || sampleVhost !== vhost) continue;
      const counters = entry(queue);
      const value = Number(sample.value);
      if (field && Number.isFinite(value)) counters[field] += value;
    }
  }
  return out;
}

interface Read {
  at: number;
  counters: QueueCounters;
}

/**
 * Rates from two reads of the counters (the previous read kept per queue, only for the queues
 * asked about). A counter that went down (a channel closed and its series left) counts as no
 * growth for that interval rather than a negative rate.
 */
export class PrometheusRateMeter {
  private readonly previous = new Map<string, Read>();
  private readonly latest = new Map<string, Rates>();

  update(names: readonly string[], at: number, counters: Map<string, QueueCounters>) {
    const wanted = new Set(names);
    for (const name of this.previous.keys()) if (!wanted.has(name)) this.previous.delete(name);
    for (const name of this.latest.keys()) if (!wanted.has(name)) this.latest.delete(name);
    for (const name of wanted) {
      const now = counters.get(name);
      const before = this.previous.get(name);
      if (!now) {
        this.previous.delete(name);
        this.latest.delete(name);
        continue;
      }
      this.previous.set(name, { at, counters: { ...now } });
      if (!before || at <= before.at) continue;
      const seconds = (at - before.at) / 1000;
      const rate = (key: keyof QueueCounters) => Math.max(0, now[key] - before.counters[key]) / seconds;
      this.latest.set(name, {
        publish: rate("published"),
        deliver: rate("delivered"),
        ack: rate("acked"),
        source: "prometheus",
      });
    }
  }

  /** The newest rates for a queue, or null before two reads saw it. */
  rates(name: string): Rates | null {
    return this.latest.get(name) ?? null;
  }

  clear() {
    this.previous.clear();
    this.latest.clear();
  }
}

const READ_TIMEOUT_MS = 3000;

/** Reads `${baseUrl}/metrics/per-object` and keeps per-queue rates from its counters. */
export class PrometheusRates {
  private readonly meter = new PrometheusRateMeter();
  private lastRead = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly vhost: string,
    private readonly refreshMs = 5000,
  ) {}

  /** Reads the endpoint when the last read is older than the refresh interval; failures forget the rates. */
  async refresh(names: readonly string[], at: number): Promise<void> {
    if (this.lastRead !== 0 && at - this.lastRead < this.refreshMs) return;
    this.lastRead = at;
    try {
      const response = await fetch(`${this.baseUrl.replace(/\/+$/, "")}/metrics/per-object`, {
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.meter.update(names, at, queueCounters(await response.text(), this.vhost));
    } catch {
      this.meter.clear();
    }
  }

  rates(name: string): Rates | null {
    return this.meter.rates(name);
  }
}
