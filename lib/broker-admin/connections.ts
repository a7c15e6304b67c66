import { isManagementUnavailable, type ManagementClient } from "../queues/management";

export interface ConnectionRow {
  name: string;
  clientName: string | null;
  user: string | null;
  vhost: string | null;
  peer: string | null;
  protocol: string | null;
  /** running, blocking (will block on its next publish), blocked (publishes held: an alarm), flow, closing… */
  state: string | null;
  channels: number | null;
  sendRate: number | null;
  recvRate: number | null;
  connectedAt: number | null;
  node: string | null;
  product: string | null;
}

export interface ChannelRow {
  name: string;
  number: number | null;
  state: string | null;
  prefetch: number | null;
  globalPrefetch: number | null;
  unacked: number | null;
  unconfirmed: number | null;
  consumers: number | null;
  confirm: boolean;
  transactional: boolean;
}

export interface ConnectionList {
  mode: "management" | "limited";
  limitedReason: string | null;
  vhost: string | null;
  connections: ConnectionRow[];
  fetchedInMs: number;
}

export interface ConnectionDetail {
  mode: "management" | "limited";
  limitedReason: string | null;
  connection: ConnectionRow | null;
  channels: ChannelRow[];
  fetchedInMs: number;
}

/** States where the connection's publishes are held by the broker. */
export const BLOCKED_STATES = new Set(["blocked", "blocking", "flow"]);

/**
 * Listing order: publishers actually held first, then those slowed by flow
 * control; during an alarm every other connection is "blocking" (it would be
 * held on its next publish), which says less.
 */
const STATE_RANK: Record<string, number> = { blocked: 0, flow: 1, blocking: 2 };
const rankOf = (state: string | null) => STATE_RANK[state ?? ""] ?? 3;

export interface ManagementConnection {
  name: string;
  user?: string;
  vhost?: string;
  peer_host?: string;
  peer_port?: number;
  protocol?: string;
  state?: string;
  channels?: number;
  send_oct_details?: { rate?: number };
  recv_oct_details?: { rate?: number };
  connected_at?: number;
  node?: string;
  user_provided_name?: string;
  client_properties?: { connection_name?: unknown; product?: unknown };
}

interface ManagementChannel {
  name: string;
  number?: number;
  state?: string;
  prefetch_count?: number;
  global_prefetch_count?: number;
  messages_unacknowledged?: number;
  messages_unconfirmed?: number;
  consumer_count?: number;
  confirm?: boolean;
  transactional?: boolean;
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

export function toConnectionRow(c: ManagementConnection): ConnectionRow {
  return {
    name: c.name,
    clientName: str(c.user_provided_name) ?? str(c.client_properties?.connection_name),
    user: str(c.user),
    vhost: str(c.vhost),
    peer: c.peer_host ? `${c.peer_host}:${c.peer_port ?? "?"}` : null,
    protocol: str(c.protocol),
    state: str(c.state),
    channels: num(c.channels),
    sendRate: num(c.send_oct_details?.rate),
    recvRate: num(c.recv_oct_details?.rate),
    connectedAt: num(c.connected_at),
    node: str(c.node),
    product: str(c.client_properties?.product),
  };
}

export function toChannelRow(c: ManagementChannel): ChannelRow {
  return {
    name: c.name,
    number: num(c.number),
    state: str(c.state),
    prefetch: num(c.prefetch_count),
    globalPrefetch: num(c.global_prefetch_count),
    unacked: num(c.messages_unacknowledged),
    unconfirmed: num(c.messages_unconfirmed),
    consumers: num(c.consumer_count),
    confirm: c.confirm === true,
    transactional: c.transactional === true,
  };
}

const CONNECTION_COLUMNS = [
  "name",
  "user",
  "vhost",
  "peer_host",
  "peer_port",
  "protocol",
  "state",
  "channels",
  "send_oct_details",
  "recv_oct_details",
  "connected_at",
  "node",
  "user_provided_name",
  "client_properties",
].join(",");

/** The connections of one vhost (or of all vhosts when `vhost` is null), blocked ones first. */
export async function listConnections(management: ManagementClient, vhost: string | null): Promise<ConnectionList> {
  const started = performance.now();
  const path =
    vhost === null
      ? `/api/connections?columns=${CONNECTION_COLUMNS}`
      : `/api/vhosts/${encodeURIComponent(vhost)}/connections?columns=${CONNECTION_COLUMNS}`;
  try {
    const rows = ((await management.read<ManagementConnection[]>(path)) ?? []).map(toConnectionRow);
    rows.sort((a, b) => rankOf(a.state) - rankOf(b.state) || (a.connectedAt ?? 0) - (b.connectedAt ?? 0));
    return {
      mode: "management",
      limitedReason: null,
      vhost,
      connections: rows,
      fetchedInMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return {
      mode: "limited",
      limitedReason: error.message,
      vhost,
      connections: [],
      fetchedInMs: Math.round(performance.now() - started),
    };
  }
}

/** One connection and its channels; `connection` is null when the broker does not know it (closed). */
export async function connectionDetail(management: ManagementClient, name: string): Promise<ConnectionDetail> {
  const started = performance.now();
  const base = `/api/connections/${encodeURIComponent(name)}`;
  try {
    const [connection, channels] = await Promise.all([
      management.read<ManagementConnection>(base),
      management.read<ManagementChannel[]>(`${base}/channels`),
    ]);
    return {
      mode: "management",
      limitedReason: null,
      connection: connection ? toConnectionRow(connection) : null,
      channels: (channels ?? []).map(toChannelRow).sort((a, b) => (a.number ?? 0) - (b.number ?? 0)),
      fetchedInMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return {
      mode: "limited",
      limitedReason: error.message,
      connection: null,
      channels: [],
      fetchedInMs: Math.round(performance.now() - started),
    };
  }
}
