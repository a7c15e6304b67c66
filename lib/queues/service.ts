import "server-only";
import { deadLetterQueueOf } from "../amqp/topology";
import { type AuditEntry, auditFor } from "../audit";
import { DepthProbe } from "../history/probe";
import { PrometheusRates } from "../history/prometheus";
import { NO_RATES, type Rates } from "../history/rates";
import { HistoryRecorder } from "../history/recorder";
import { brokerRates, historySampler } from "../history/sample";
import { currentWarren } from "../process/current";
import { Leader } from "../process/leader";
import type { Warren } from "../process/warren";
import { listQueues, type QueueListQuery, type QueueListResult, type QueueRow, toQueueRow } from "./list";
import { isManagementUnavailable, type ManagementConsumer } from "./management";
import { OwnRateMeter, type OwnRates } from "./own-rates";
import { type ProbedQueue, probeQueue } from "./probe";

export interface QueueTools {
  /** Durable history: sampled by the "history-sampler" leader of all web processes, read by each. */
  recorder: HistoryRecorder;
  probe: DepthProbe;
  meter: OwnRateMeter;
  /** Stops the meter's timer, the recorder (handing the role over) and the probe's channels. */
  stop(): Promise<void>;
}

/** What the queue pages read besides the management API: the process's links, sampler and counters. */
type QueueParts = Pick<Warren, "env" | "publisher" | "consumer" | "consumeLink" | "management" | "store" | "log"> & {
  sampler: NonNullable<Warren["live"]>["sampler"] | null;
};

function partsOf(warren: Warren): QueueParts {
  return { ...warren, sampler: warren.live?.sampler ?? null };
}

export function ownQueues(runtime: Pick<Warren, "env"> = currentWarren()): string[] {
  return [runtime.env.ORDER_QUEUE, deadLetterQueueOf(runtime.env.ORDER_QUEUE)];
}

/** The process's durable history recorder and own-rate meter (built and started by lib/process). */
export function createQueueTools(runtime: QueueParts): QueueTools {
  const meter = new OwnRateMeter(() => ({
    published: runtime.publisher.counts.confirmed,
    delivered: runtime.consumer?.stats.delivered ?? 0,
    acked: runtime.consumer?.stats.acked ?? 0,
  }));
  const probe = new DepthProbe(runtime.consumeLink);
  const log = (message: string) => runtime.log(message);
  const recorder = new HistoryRecorder({
    store: runtime.store.history,
    leader: new Leader(runtime.store.leadership, "history-sampler", { log }),
    pinned: ownQueues(runtime),
    log,
    sample: (names, at) => sample(names, at),
  });
  const sample = historySampler({
    live: () => runtime.sampler?.latest() ?? null,
    probe,
    management: runtime.management,
    health: runtime.store.health,
    orderQueue: runtime.env.ORDER_QUEUE,
    liveMaxAgeMs: 2 * runtime.env.SAMPLE_INTERVAL_MS,
    prometheus: runtime.env.RABBITMQ_PROMETHEUS_URL
      ? new PrometheusRates(runtime.env.RABBITMQ_PROMETHEUS_URL, runtime.management.vhost)
      : null,
  });
  recorder.start();
  // This process's own counters, per process (every process, leader or not).
  meter.sample();
  const meterTimer = setInterval(() => meter.sample(), 5000);
  meterTimer.unref();
  return {
    recorder,
    probe,
    meter,
    async stop() {
      clearInterval(meterTimer);
      await recorder.stop();
      probe.close();
    },
  };
}

function queueTools(): QueueTools {
  const { queueTools: tools } = currentWarren();
  if (!tools) throw new Error("this process serves no queue pages");
  return tools;
}

/**
 * Depth over AMQP. Warren's own queues are already read every second by the
 * process's live sampler on long-lived channels: reuse its fresh sample rather
 * than a second checkQueue (and a channel opened and closed) for the same queue.
 */
async function depthOf(runtime: QueueParts, name: string): Promise<ProbedQueue | null> {
  const sample = runtime.sampler?.latest();
  const fresh = sample && sample.broker === "up" && Date.now() - sample.at <= 2 * runtime.env.SAMPLE_INTERVAL_MS;
  const known = fresh ? sample.queues.find((q) => q.name === name && q.exists) : undefined;
  if (known) return { name, exists: true, ready: known.ready, consumers: known.consumers };
  const model = runtime.consumeLink.current();
  return model ? probeQueue(model, name) : null;
}

export async function queuePage(query: QueueListQuery): Promise<QueueListResult & { own: OwnRates }> {
  const runtime = partsOf(currentWarren());
  const tools = queueTools();
  const result = await listQueues(query, {
    management: runtime.management,
    amqp: () => runtime.consumeLink.current(),
    ownQueues: ownQueues(runtime),
    lastSeen: (name) => runtime.sampler?.latest()?.queues.find((q) => q.name === name)?.lastSeen ?? null,
  });
  // With the broker's statistics off its rates are unknown: fill in what Warren derived for the queues it samples.
  const missing = result.rows.filter((row) => row.publishRate === null && row.state !== "unreachable");
  if (missing.length > 0 && query.vhost === runtime.management.vhost) {
    const tracked = new Set(await runtime.store.history.tracked().catch(() => []));
    await Promise.all(
      missing
        .filter((row) => tracked.has(row.name))
        .map(async (row) => {
          const { rates } = await latestRecorded(runtime, row.name);
          if (rates.source !== "derived" && rates.source !== "prometheus") return;
          row.publishRate = rates.publish;
          row.deliverRate = rates.deliver;
          row.ackRate = rates.ack;
          row.rateSource = rates.source;
        }),
    );
  }
  return { ...result, own: tools.meter.rates() };
}

export interface ConsumerInfo {
  tag: string;
  prefetch: number;
  ackRequired: boolean;
  active: boolean | null;
  connection: string | null;
  channel: string | null;
}

export interface QueueDetail {
  name: string;
  mode: "management" | "limited";
  limitedReason: string | null;
  exists: boolean;
  /** The broker could not be asked (Warren's link to it is down): `exists` says nothing then. */
  unreachable: boolean;
  /** While unreachable: the newest recorded depth, for "last seen N s ago". */
  lastSeen: { at: number; ready: number | null; consumers: number | null } | null;
  row: QueueRow | null;
  durable: boolean | null;
  autoDelete: boolean | null;
  exclusive: boolean | null;
  node: string | null;
  arguments: Record<string, unknown>;
  policy: string | null;
  operatorPolicy: string | null;
  effectivePolicy: Record<string, unknown>;
  consumers: ConsumerInfo[];
  /** Publish/deliver/ack per second and where they came from (the broker, or derived from Warren's samples). */
  rates: Rates;
  /** Set for Warren's order queue: this process's payment consumer. */
  warrenConsumer: {
    paused: boolean;
    running: boolean;
    prefetch: number;
    inFlight: number;
    /** Why it is not consuming (paused by whom, standing by for a seat...), null while consuming. */
    reason: string | null;
  } | null;
  own: OwnRates | null;
  /** The latest audit entries about this queue (and, for the order queue, its consumers). */
  audit: AuditEntry[];
  isOrderQueue: boolean;
  isWarrenQueue: boolean;
}

function consumerInfo(c: ManagementConsumer): ConsumerInfo {
  return {
    tag: c.consumer_tag,
    prefetch: c.prefetch_count,
    ackRequired: c.ack_required,
    active: typeof c.active === "boolean" ? c.active : null,
    connection: c.channel_details?.connection_name ?? null,
    channel: c.channel_details?.name ?? null,
  };
}

export async function queueDetail(name: string): Promise<QueueDetail> {
  const runtime = partsOf(currentWarren());
  const tools = queueTools();
  const own = ownQueues(runtime);
  const isOrderQueue = name === runtime.env.ORDER_QUEUE;
  const consumer = runtime.consumer;
  const base = {
    name,
    isOrderQueue,
    isWarrenQueue: own.includes(name),
    warrenConsumer: isOrderQueue ? consumerState(consumer) : null,
    own: isOrderQueue ? tools.meter.rates() : null,
    audit: await auditFor(name, 10),
    unreachable: runtime.consumeLink.current() === null,
  };
  const recorded = await latestRecorded(runtime, name);
  // Warren's own queues: the live sampler's last answer (sampled from the start); others: their stored history.
  const lastSeen = runtime.sampler?.latest()?.queues.find((q) => q.name === name)?.lastSeen ?? recorded.lastSeen;
  const track = () =>
    void tools.recorder.track(name).catch((error: Error) => runtime.log(`[history] ${error.message}`));
  const probed = await depthOf(runtime, name);
  try {
    const detail = await runtime.management.queueDetail(name);
    if (detail || probed?.exists) track();
    const row = detail ? toQueueRow(detail, new Set(own)) : null;
    const rates = brokerRates(detail) ?? recorded.rates;
    if (row) {
      row.publishRate = rates.publish;
      row.deliverRate = rates.deliver;
      row.ackRate = rates.ack;
    }
    if (row && probed?.exists) {
      // AMQP answers at once; the management API lags a statistics interval.
      row.ready = probed.ready;
      row.consumers = probed.consumers;
    }
    const effective = detail?.effective_policy_definition;
    return {
      ...base,
      lastSeen,
      rates,
      mode: "management",
      limitedReason: null,
      exists: Boolean(detail),
      row,
      durable: detail?.durable ?? null,
      autoDelete: detail?.auto_delete ?? null,
      exclusive: detail?.exclusive ?? null,
      node: detail?.node ?? null,
      arguments: detail?.arguments ?? {},
      policy: detail?.policy ?? null,
      operatorPolicy: detail?.operator_policy ?? null,
      effectivePolicy: effective && !Array.isArray(effective) ? effective : {},
      consumers: (detail?.consumer_details ?? []).map(consumerInfo),
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    if (probed?.exists) track();
    const rates = recorded.rates;
    return {
      ...base,
      lastSeen,
      rates,
      mode: "limited",
      limitedReason: error.message,
      exists: Boolean(probed?.exists),
      row: probed?.exists
        ? {
            name,
            type: null,
            state: "running",
            ready: probed.ready,
            unacked: null,
            total: null,
            consumers: probed.consumers,
            publishRate: rates.publish,
            deliverRate: rates.deliver,
            ackRate: rates.ack,
            deadLetter: null,
            policy: null,
            warren: own.includes(name),
          }
        : null,
      durable: null,
      autoDelete: null,
      exclusive: null,
      node: null,
      arguments: {},
      policy: null,
      operatorPolicy: null,
      effectivePolicy: {},
      consumers: [],
    };
  }
}

/** The newest stored sample of a queue (any process's leader wrote it): "last seen", and rates when the broker has none. */
async function latestRecorded(
  runtime: QueueParts,
  name: string,
): Promise<{ lastSeen: QueueDetail["lastSeen"]; rates: Rates }> {
  const now = Date.now();
  const buckets = await runtime.store.history.read(name, now - 60_000, now + 1000, 1000).catch(() => []);
  const seen = buckets.findLast((b) => b.ready !== null);
  const rated = buckets.findLast((b) => b.rateSource !== null && now - b.at <= 15_000);
  return {
    lastSeen: seen ? { at: seen.at, ready: seen.ready, consumers: seen.consumers } : null,
    rates: rated
      ? { publish: rated.publish, deliver: rated.deliver, ack: rated.ack, source: rated.rateSource }
      : { ...NO_RATES },
  };
}

/** What the pages and the API show of this process's payment consumer. */
export function consumerState(consumer: Warren["consumer"]) {
  if (!consumer) return null;
  const { paused, running, prefetch, inFlight } = consumer.stats;
  // "running" is true only while subscribed on an open channel; state and reason say why not.
  const { state, since, reason } = consumer.status();
  return { paused, running, prefetch, inFlight, state, since, reason };
}

/** `GET /api/broker/consumers`: the order queue and this process's payment consumer. */
export function orderConsumer() {
  const { env, consumer } = currentWarren();
  return { queue: env.ORDER_QUEUE, consumer: consumerState(consumer) };
}
