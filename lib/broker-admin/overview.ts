import { isManagementUnavailable, type ManagementClient } from "../queues/management";

/** One node of the cluster as the overview shows it; null where the broker did not say. */
export interface NodeView {
  name: string;
  running: boolean;
  type: string | null;
  uptimeMs: number | null;
  version: string | null;
  memUsed: number | null;
  memLimit: number | null;
  memAlarm: boolean;
  diskFree: number | null;
  diskFreeLimit: number | null;
  diskAlarm: boolean;
  fdUsed: number | null;
  fdTotal: number | null;
  socketsUsed: number | null;
  socketsTotal: number | null;
  procUsed: number | null;
  procTotal: number | null;
}

export type AlarmKind = "memory" | "disk";

export interface Alarm {
  kind: AlarmKind;
  node: string;
  /** What the figures were when the alarm was seen (used vs limit). */
  detail: string;
}

/** What an alarm does to publishers: the answer to "why is nothing being published?". */
export const ALARM_EFFECT =
  "RabbitMQ blocks every connection that publishes, on every node of the cluster, until the alarm clears: publishes wait (a confirm never comes), consumers keep consuming.";

export interface MessageRates {
  published: number | null;
  delivered: number | null;
  acked: number | null;
  redelivered: number | null;
  /** Not reported by every broker version (3.10 has no cluster-wide dead-letter rate). */
  deadLettered: number | null;
}

export interface BrokerTotals {
  queues: number | null;
  connections: number | null;
  channels: number | null;
  consumers: number | null;
  exchanges: number | null;
  messages: number | null;
}

export interface BrokerOverview {
  mode: "management" | "limited";
  limitedReason: string | null;
  clusterName: string | null;
  rabbitmqVersion: string | null;
  erlangVersion: string | null;
  /** Where the rates come from; "none" when the broker reports none (statistics off). */
  ratesSource: "management" | "none";
  nodes: NodeView[];
  alarms: Alarm[];
  rates: MessageRates;
  totals: BrokerTotals;
  fetchedInMs: number;
  at: number;
}

/** The subset of GET /api/nodes that Warren reads. */
export interface ManagementNode {
  name: string;
  type?: string;
  running?: boolean;
  uptime?: number;
  mem_used?: number;
  mem_limit?: number;
  mem_alarm?: boolean;
  disk_free?: number;
  disk_free_limit?: number;
  disk_free_alarm?: boolean;
  fd_used?: number;
  fd_total?: number;
  sockets_used?: number;
  sockets_total?: number;
  proc_used?: number;
  proc_total?: number;
  applications?: { name: string; version: string }[];
}

interface ManagementOverview {
  node?: string;
  cluster_name?: string;
  rabbitmq_version?: string;
  erlang_version?: string;
  message_stats?: Record<string, unknown>;
  object_totals?: Record<string, number>;
  queue_totals?: { messages?: number };
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

export function toNodeView(node: ManagementNode): NodeView {
  // A stopped node is listed with its name only: every figure is unknown, not zero.
  return {
    name: node.name,
    running: node.running === true,
    type: node.type ?? null,
    uptimeMs: num(node.uptime),
    version: node.applications?.find((app) => app.name === "rabbit")?.version ?? null,
    memUsed: num(node.mem_used),
    memLimit: num(node.mem_limit),
    memAlarm: node.mem_alarm === true,
    diskFree: num(node.disk_free),
    diskFreeLimit: num(node.disk_free_limit),
    diskAlarm: node.disk_free_alarm === true,
    fdUsed: num(node.fd_used),
    fdTotal: num(node.fd_total),
    socketsUsed: num(node.sockets_used),
    socketsTotal: num(node.sockets_total),
    procUsed: num(node.proc_used),
    procTotal: num(node.proc_total),
  };
}

export function bytes(value: number | null): string {
  if (value === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = value;
  let unit = 0;
  while (Math.abs(n) >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n < 10 && unit > 0 ? n.toFixed(1) : Math.round(n)} ${units[unit]}`;
}

export function alarmsOf(nodes: NodeView[]): Alarm[] {
  const alarms: Alarm[] = [];
  for (const node of nodes) {
    if (node.memAlarm) {
      alarms.push({
        kind: "memory",
        node: node.name,
        detail: `memory used ${bytes(node.memUsed)} ≥ high watermark ${bytes(node.memLimit)}`,
      });
    }
    if (node.diskAlarm) {
      alarms.push({
        kind: "disk",
        node: node.name,
        detail: `disk free ${bytes(node.diskFree)} ≤ limit ${bytes(node.diskFreeLimit)}`,
      });
    }
  }
  return alarms;
}

/**
 * The alarm check says at once which alarms are in effect; the node
 * statistics add the figures (used vs limit) but lag by a statistics
 * interval, so an alarm is shown from the check, with figures once they come.
 */
export function mergeAlarms(live: { node: string; resource: string }[], fromStats: Alarm[]): Alarm[] {
  return live.map(({ node, resource }) => {
    const kind: AlarmKind = resource === "disk" ? "disk" : "memory";
    const known = fromStats.find((a) => a.node === node && a.kind === kind);
    return known ?? { kind, node, detail: `${resource} alarm raised (figures follow with the next statistics)` };
  });
}

const rateOf = (stats: Record<string, unknown> | undefined, key: string): number | null => {
  const details = stats?.[`${key}_details`] as { rate?: unknown } | undefined;
  return num(details?.rate);
};

export function ratesOf(stats: Record<string, unknown> | undefined): MessageRates {
  if (stats === undefined) {
    return { published: null, delivered: null, acked: null, redelivered: null, deadLettered: null };
  }
  // The broker leaves out what never happened since it started: zero, not unknown.
  return {
    published: rateOf(stats, "publish") ?? 0,
    delivered: rateOf(stats, "deliver_get") ?? 0,
    acked: rateOf(stats, "ack") ?? 0,
    redelivered: rateOf(stats, "redeliver") ?? 0,
    deadLettered: rateOf(stats, "dead_letter"),
  };
}

/** Every node and the cluster's rates and totals, or limited mode with the reason. */
export async function brokerOverview(management: ManagementClient): Promise<BrokerOverview> {
  const started = performance.now();
  const at = Date.now();
  try {
    const [nodes, overview, live] = await Promise.all([
      // Not filtered by columns: the broker drops `applications` (where the version is) from a column list.
      management.read<ManagementNode[]>("/api/nodes"),
      management.read<ManagementOverview>(
        "/api/overview?columns=node,cluster_name,rabbitmq_version,erlang_version,message_stats,object_totals,queue_totals",
      ),
      management.alarmCheck(),
    ]);
    // A node lists its applications (and so its version) only some seconds after it started;
    // the node that answered is known to run the overview's version.
    const views = (nodes ?? [])
      .map(toNodeView)
      .map((node) =>
        node.version === null && node.name === overview?.node
          ? { ...node, version: overview.rabbitmq_version ?? null }
          : node,
      );
    const totals = overview?.object_totals ?? {};
    const stats = overview?.message_stats;
    return {
      mode: "management",
      limitedReason: null,
      clusterName: overview?.cluster_name ?? null,
      rabbitmqVersion: overview?.rabbitmq_version ?? null,
      erlangVersion: overview?.erlang_version ?? null,
      ratesSource: stats === undefined ? "none" : "management",
      nodes: views,
      alarms: mergeAlarms(live, alarmsOf(views)),
      rates: ratesOf(stats),
      totals: {
        queues: num(totals.queues),
        connections: num(totals.connections),
        channels: num(totals.channels),
        consumers: num(totals.consumers),
        exchanges: num(totals.exchanges),
        messages: num(overview?.queue_totals?.messages) ?? 0,
      },
      fetchedInMs: Math.round(performance.now() - started),
      at,
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return limitedOverview(error.message, Math.round(performance.now() - started), at);
  }
}

function limitedOverview(reason: string, fetchedInMs: number, at: number): BrokerOverview {
  const unknown = { published: null, delivered: null, acked: null, redelivered: null, deadLettered: null };
  return {
    mode: "limited",
    limitedReason: reason,
    clusterName: null,
    rabbitmqVersion: null,
    erlangVersion: null,
    ratesSource: "none",
    nodes: [],
    alarms: [],
    rates: unknown,
    totals: { queues: null, connections: null, channels: null, consumers: null, exchanges: null, messages: null },
    fetchedInMs,
    at,
  };
}
