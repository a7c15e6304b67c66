import type { QueueSample } from "../events/sampler";
import type { ManagementClient, ManagementQueueRow } from "../queues/management";
import type { HealthStore, HistorySample } from "../store/store";
import type { DepthProbe } from "./probe";
import type { PrometheusRates } from "./prometheus";
import { NO_RATES, type OwnCounts, RateDeriver, type Rates } from "./rates";

export interface SampleSources {
  /** The process's live sampler (Warren's own queues, read every second already), when fresh. */
  live: () => QueueSample | null;
  probe: DepthProbe;
  management: ManagementClient | null;
  /** The store's reads behind Warren's own counts (summed over every process). */
  health: Pick<HealthStore, "placedAndPaid" | "outboxBacklog" | "lastDeliveryId">;
  orderQueue: string;
  liveMaxAgeMs: number;
  /** `rabbitmq_prometheus`'s per-object counters (RABBITMQ_PROMETHEUS_URL), read when the broker gives no rates. */
  prometheus?: PrometheusRates | null;
}

const MANAGEMENT_REFRESH_MS = 5000;
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** Broker rates when the management API gives them (statistics on); null when it gives none. */
export function brokerRates(row: ManagementQueueRow | null): Rates | null {
  // With statistics collection off the API still lists the queue, but with no counts and no message_stats.
  if (!row || (row.messages_ready === undefined && row.message_stats === undefined)) return null;
  const stats = row.message_stats ?? {};
  return {
    publish: num(stats.publish_details?.rate) ?? 0,
    deliver: num(stats.deliver_get_details?.rate) ?? 0,
    ack: num(stats.ack_details?.rate) ?? 0,
    source: "broker",
  };
}

/**
 * Reads one history sample per queue for the leader: depth over AMQP (the live sampler's for
 * Warren's queues, a long-lived channel for others), unacked and rates from the management API
 * every few seconds when it has them, else rates from `rabbitmq_prometheus`'s counters when it is
 * configured and knows the queue, else rates derived from Warren's own samples and counts.
 */
export function historySampler(sources: SampleSources) {
  const deriver = new RateDeriver();
  const rows = new Map<string, { at: number; row: ManagementQueueRow | null }>();

  const refreshRow = (name: string, at: number) => {
    const management = sources.management;
    const cached = rows.get(name);
    if (!management || (cached && at - cached.at < MANAGEMENT_REFRESH_MS)) return;
    rows.set(name, { at, row: cached?.row ?? null });
    void management
      .queueRow(name)
      .then((row) => rows.set(name, { at, row }))
      .catch(() => rows.set(name, { at, row: null }));
  };

  const ownCounts = async (at: number): Promise<OwnCounts | null> => {
    try {
      const [{ placed }, backlog, consumed] = await Promise.all([
        sources.health.placedAndPaid(),
        sources.health.outboxBacklog(at),
        sources.health.lastDeliveryId(),
      ]);
      return { published: placed - backlog.waiting, consumed };
    } catch {
      return null;
    }
  };

  return async (names: string[], at: number): Promise<HistorySample[]> => {
    sources.probe.keepOnly(names);
    for (const name of rows.keys()) if (!names.includes(name)) rows.delete(name);
    const live = sources.live();
    const fresh = live && live.broker === "up" && at - live.at <= sources.liveMaxAgeMs ? live : null;
    const counts = names.includes(sources.orderQueue) ? await ownCounts(at) : null;
    // Read the prometheus endpoint only while some queue has no broker rates (statistics off).
    const prometheus = sources.prometheus ?? null;
    if (prometheus && names.some((name) => brokerRates(rows.get(name)?.row ?? null) === null)) {
      await prometheus.refresh(names, at);
    }
    const samples = await Promise.all(
      names.map(async (name): Promise<HistorySample | null> => {
        refreshRow(name, at);
        const known = fresh?.queues.find((q) => q.name === name && q.exists && q.ready !== null);
        const depth =
          known && known.ready !== null
            ? { ready: known.ready, consumers: known.consumers ?? 0 }
            : await sources.probe.depth(name);
        if (!depth) {
          deriver.forget(name);
          return null;
        }
        const row = rows.get(name)?.row ?? null;
        const derived = deriver.derive(name, at, depth, name === sources.orderQueue ? counts : null);
        const rates = brokerRates(row) ?? prometheus?.rates(name) ?? derived ?? NO_RATES;
        return {
          queue: name,
          at,
          ready: depth.ready,
          unacked: num(row?.messages_unacknowledged),
          consumers: depth.consumers,
          publish: rates.publish,
          deliver: rates.deliver,
          ack: rates.ack,
          rateSource: rates.source,
        };
      }),
    );
    return samples.filter((s): s is HistorySample => s !== null);
  };
}
