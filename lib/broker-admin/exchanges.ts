import { isManagementUnavailable, type ManagementClient } from "../queues/management";

export interface ExchangeRow {
  name: string;
  /** How the page shows the nameless default exchange. */
  label: string;
  type: string | null;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
  /** Messages published into the exchange, and routed out of it, per second; null when not reported. */
  inRate: number | null;
  outRate: number | null;
}

export interface BindingRow {
  source: string;
  destination: string;
  destinationType: "queue" | "exchange";
  routingKey: string;
  arguments: Record<string, unknown>;
}

export interface ExchangeList {
  mode: "management" | "limited";
  limitedReason: string | null;
  vhost: string;
  exchanges: ExchangeRow[];
  fetchedInMs: number;
}

export interface ExchangeDetail {
  mode: "management" | "limited";
  limitedReason: string | null;
  vhost: string;
  exchange: ExchangeRow | null;
  /** Bindings where this exchange is the source (where it routes to). */
  outgoing: BindingRow[];
  /** Bindings where it is the destination (exchange-to-exchange, into it). */
  incoming: BindingRow[];
  fetchedInMs: number;
}

export interface ManagementExchange {
  name: string;
  type?: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
  message_stats?: { publish_in_details?: { rate?: number }; publish_out_details?: { rate?: number } };
}

export interface ManagementBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
  arguments?: Record<string, unknown>;
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

export const exchangeLabel = (name: string) => (name === "" ? "(default exchange)" : name);

export function toExchangeRow(e: ManagementExchange): ExchangeRow {
  const stats = e.message_stats;
  return {
    name: e.name,
    label: exchangeLabel(e.name),
    type: e.type ?? null,
    durable: e.durable === true,
    autoDelete: e.auto_delete === true,
    internal: e.internal === true,
    arguments: e.arguments ?? {},
    // No stats object at all: nothing was published through it yet.
    inRate: stats ? (num(stats.publish_in_details?.rate) ?? 0) : 0,
    outRate: stats ? (num(stats.publish_out_details?.rate) ?? 0) : 0,
  };
}

export function toBindingRow(b: ManagementBinding): BindingRow {
  return {
    source: b.source,
    destination: b.destination,
    destinationType: b.destination_type === "exchange" ? "exchange" : "queue",
    routingKey: b.routing_key,
    arguments: b.arguments ?? {},
  };
}

const EXCHANGE_COLUMNS = "name,type,durable,auto_delete,internal,arguments,message_stats";
const v = (vhost: string) => encodeURIComponent(vhost);
const e = (name: string) => encodeURIComponent(name === "" ? "amq.default" : name);

export async function listExchanges(management: ManagementClient, vhost: string): Promise<ExchangeList> {
  const started = performance.now();
  try {
    const rows = await management.read<ManagementExchange[]>(`/api/exchanges/${v(vhost)}?columns=${EXCHANGE_COLUMNS}`);
    return {
      mode: "management",
      limitedReason: null,
      vhost,
      exchanges: (rows ?? []).map(toExchangeRow).sort((a, b) => a.name.localeCompare(b.name)),
      fetchedInMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return { mode: "limited", limitedReason: error.message, vhost, exchanges: [], fetchedInMs: 0 };
  }
}

export async function exchangeDetail(
  management: ManagementClient,
  vhost: string,
  name: string,
): Promise<ExchangeDetail> {
  const started = performance.now();
  const base = `/api/exchanges/${v(vhost)}/${e(name)}`;
  try {
    const [exchange, outgoing, incoming] = await Promise.all([
      management.read<ManagementExchange>(`${base}?columns=${EXCHANGE_COLUMNS}`),
      management.read<ManagementBinding[]>(`${base}/bindings/source`),
      management.read<ManagementBinding[]>(`${base}/bindings/destination`),
    ]);
    return {
      mode: "management",
      limitedReason: null,
      vhost,
      exchange: exchange ? toExchangeRow(exchange) : null,
      outgoing: (outgoing ?? []).map(toBindingRow),
      incoming: (incoming ?? []).map(toBindingRow),
      fetchedInMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return {
      mode: "limited",
      limitedReason: error.message,
      vhost,
      exchange: null,
      outgoing: [],
      incoming: [],
      fetchedInMs: 0,
    };
  }
}

/** The bindings into one queue (the default exchange's implicit one included); null in limited mode. */
export async function queueBindings(
  management: ManagementClient,
  vhost: string,
  queue: string,
): Promise<BindingRow[] | null> {
  try {
    const rows = await management.read<ManagementBinding[]>(
      `/api/queues/${v(vhost)}/${encodeURIComponent(queue)}/bindings`,
    );
    return (rows ?? []).map(toBindingRow);
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return null;
  }
}
