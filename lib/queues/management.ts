import { splitNodeList } from "../config/node-list";

/**
 * A small client for RabbitMQ's management HTTP API. Everything here is
 * optional: when the plugin is not enabled, callers fall back to AMQP.
 */
export interface ManagementOptions {
  /** One URL, or a cluster's nodes comma-separated: a node that does not answer is skipped. */
  baseUrl: string;
  /** The AMQP URL (or node list: its first node) whose user, password and vhost are reused. */
  amqpUrl: string;
  /** Overrides for the management user and password (else the AMQP URL's). */
  user?: string;
  password?: string;
  timeoutMs?: number;
}

/** The management API could not be reached or refused us: callers fall back to AMQP. */
export class ManagementUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ManagementUnavailable";
  }
}

/** By name as well as class: Next.js loads lib modules in more than one module graph. */
export function isManagementUnavailable(error: unknown): error is ManagementUnavailable {
  return error instanceof ManagementUnavailable || (error instanceof Error && error.name === "ManagementUnavailable");
}

/** Query for one page of `/api/queues` (server-side paging, filtering and sorting). */
export interface QueuePageQuery {
  page: number;
  pageSize: number;
  name?: string;
  /** A management API sort key, e.g. `messages_ready` or `message_stats.publish_details.rate`. */
  sort: string;
  reverse: boolean;
  /** The vhost to list (default: the AMQP URL's). */
  vhost?: string;
}

export interface ManagementQueueRow {
  name: string;
  type?: string;
  state?: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  messages?: number;
  consumers?: number;
  arguments?: Record<string, unknown>;
  policy?: string | null;
  effective_policy_definition?: Record<string, unknown> | unknown[];
  message_stats?: {
    publish_details?: { rate?: number };
    deliver_get_details?: { rate?: number };
    ack_details?: { rate?: number };
  };
}

export interface ManagementQueuePage {
  items: ManagementQueueRow[];
  filtered_count: number;
  total_count: number;
  page: number;
  page_count: number;
  page_size: number;
}

export interface ManagementConsumer {
  consumer_tag: string;
  prefetch_count: number;
  ack_required: boolean;
  active?: boolean;
  channel_details?: { name?: string; connection_name?: string; peer_host?: string; peer_port?: number };
}

export interface ManagementQueueDetail extends ManagementQueueRow {
  durable?: boolean;
  auto_delete?: boolean;
  exclusive?: boolean;
  node?: string;
  operator_policy?: string | null;
  consumer_details?: ManagementConsumer[];
  idle_since?: string;
}

export interface PeekedMessage {
  payload: string;
  payload_encoding: "string" | "base64";
  payload_bytes: number;
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  message_count: number;
  properties: Record<string, unknown>;
}

const ROW_COLUMNS = [
  "name",
  "type",
  "state",
  "messages_ready",
  "messages_unacknowledged",
  "messages",
  "consumers",
  "arguments",
  "policy",
  "effective_policy_definition",
  "message_stats.publish_details.rate",
  "message_stats.deliver_get_details.rate",
  "message_stats.ack_details.rate",
].join(",");

export interface ManagementQueue {
  name: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

export class ManagementClient {
  private readonly auth: string;
  readonly vhost: string;
  /** Requests sent so far: the benchmark checks it does not grow with dashboards. */
  calls = 0;

  private readonly bases: string[];
  /** The node that answered last: asked first next time. */
  private baseIndex = 0;

  constructor(private readonly options: ManagementOptions) {
    // Credentials in a management URL become the Authorization header: fetch() refuses such a URL
    // with an error that quotes it, password included, and that error would reach pages and logs.
    let inUrl: { user: string; pass: string } | null = null;
    this.bases = splitNodeList(options.baseUrl)
      .filter(Boolean)
      .map((base) => {
        try {
          const parsed = new URL(base);
          if (parsed.username && !inUrl) {
            inUrl = { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) };
          }
          parsed.username = "";
          parsed.password = "";
          return parsed.href.replace(/\/$/, "");
        } catch {
          return base.replace(/\/$/, "");
        }
      });
    if (this.bases.length === 0) throw new Error("no management API URL given");
    const url = new URL(splitNodeList(options.amqpUrl).find(Boolean) ?? options.amqpUrl);
    const fromUrl = inUrl as { user: string; pass: string } | null;
    const user = options.user ?? fromUrl?.user ?? decodeURIComponent(url.username || "guest");
    const pass = options.password ?? fromUrl?.pass ?? decodeURIComponent(url.password || "guest");
    this.auth = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    const path = url.pathname.replace(/^\//, "");
    this.vhost = path === "" ? "/" : decodeURIComponent(path);
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    this.calls++;
    let lastError: unknown;
    for (let tried = 0; tried < this.bases.length; tried++) {
      const index = (this.baseIndex + tried) % this.bases.length;
      try {
        const res = await fetch(`${this.bases[index]}${path}`, {
          method,
          headers: { authorization: this.auth, "content-type": "application/json", ...extraHeaders },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 1500),
        });
        this.baseIndex = index;
        return res;
      } catch (error) {
        // This node does not answer: any node of the cluster serves the same API.
        lastError = error;
      }
    }
    throw lastError;
  }

  /** A request whose network failure, timeout, 401 or 5xx means "management is not usable". */
  private async call(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    let res: Response;
    try {
      res = await this.request(method, path, body, extraHeaders);
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const why =
        (error as Error).name === "TimeoutError"
          ? "timed out"
          : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new ManagementUnavailable(`management API unreachable (${why})`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new ManagementUnavailable(`management API refused the credentials (HTTP ${res.status})`);
    }
    if (res.status >= 500) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return res;
  }

  private queuePath(name: string, suffix = ""): string {
    return `/api/queues/${encodeURIComponent(this.vhost)}/${encodeURIComponent(name)}${suffix}`;
  }

  /**
   * Any GET of the API as JSON: null for 404, ManagementUnavailable when the
   * API cannot answer (so callers show limited mode rather than fail).
   */
  async read<T>(path: string): Promise<T | null> {
    const res = await this.call("GET", path);
    if (res.status === 404) return null;
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return (await res.json()) as T;
  }

  /** A DELETE with an optional `X-Reason` (the broker passes it to a closed connection); false for 404. */
  async remove(path: string, reason?: string): Promise<boolean> {
    const res = await this.call("DELETE", path, undefined, reason ? { "x-reason": reason } : undefined);
    if (res.status === 404) return false;
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return true;
  }

  /**
   * The cluster's resource alarms as of now (GET /api/health/checks/alarms,
   * computed at the call, while node statistics lag by an interval). The
   * check answers 503 when an alarm is in effect: that is an answer here.
   */
  async alarmCheck(): Promise<{ node: string; resource: string }[]> {
    let res: Response;
    try {
      res = await this.request("GET", "/api/health/checks/alarms");
    } catch (error) {
      throw new ManagementUnavailable(`management API unreachable (${(error as Error).message})`);
    }
    if (res.status === 200) return [];
    if (res.status === 503) {
      const body = (await res.json().catch(() => null)) as { alarms?: { node?: unknown; resource?: unknown }[] } | null;
      if (Array.isArray(body?.alarms)) {
        return body.alarms.map((a) => ({ node: String(a.node ?? "?"), resource: String(a.resource ?? "?") }));
      }
    }
    throw new ManagementUnavailable(`management API alarm check failed (HTTP ${res.status})`);
  }

  /** One page of the vhost's queues, filtered and sorted by the broker. */
  async listQueues(query: QueuePageQuery): Promise<ManagementQueuePage> {
    const params = new URLSearchParams({
      page: String(query.page),
      page_size: String(query.pageSize),
      name: query.name ?? "",
      use_regex: "false",
      sort: query.sort,
      sort_reverse: String(query.reverse),
      pagination: "true",
      columns: ROW_COLUMNS,
    });
    const res = await this.call("GET", `/api/queues/${encodeURIComponent(query.vhost ?? this.vhost)}?${params}`);
    if (res.status === 400) {
      // The broker answers 400 for a page past the end (e.g. after queues were deleted).
      const text = await res.text();
      if (/page/i.test(text) && query.page > 1) return this.listQueues({ ...query, page: 1 });
      throw new ManagementUnavailable(`management API rejected the query: ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return (await res.json()) as ManagementQueuePage;
  }

  /** One queue's counts and rates (cheap: only the listed columns); null when it does not exist. */
  async queueRow(name: string): Promise<ManagementQueueRow | null> {
    const res = await this.call("GET", `${this.queuePath(name)}?columns=${ROW_COLUMNS}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return (await res.json()) as ManagementQueueRow;
  }

  /** One queue with consumers, arguments and policy; null when the queue does not exist. */
  async queueDetail(name: string): Promise<ManagementQueueDetail | null> {
    const res = await this.call("GET", `${this.queuePath(name)}?disable_stats=false`);
    if (res.status === 404) return null;
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return (await res.json()) as ManagementQueueDetail;
  }

  /**
   * Up to `count` messages, requeued at once (ackmode ack_requeue_true): the
   * broker marks them redelivered, which is why the UI says so.
   */
  async peek(name: string, count: number): Promise<PeekedMessage[] | null> {
    const res = await this.call("POST", this.queuePath(name, "/get"), {
      count,
      ackmode: "ack_requeue_true",
      encoding: "auto",
      truncate: 50_000,
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new ManagementUnavailable(`management API failed (HTTP ${res.status})`);
    return (await res.json()) as PeekedMessage[];
  }

  async getQueue(name: string): Promise<ManagementQueue | null> {
    return this.getJson<ManagementQueue>(
      `/api/queues/${encodeURIComponent(this.vhost)}/${encodeURIComponent(name)}?columns=name,messages_ready,messages_unacknowledged,consumers`,
    );
  }

  /** A GET whose answer is JSON, or null for anything else (not found, refused, unreachable). */
  async getJson<T>(path: string): Promise<T | null> {
    try {
      const res = await this.request("GET", path);
      return res.ok ? ((await res.json()) as T) : null;
    } catch {
      return null;
    }
  }

  /**
   * Routes anyone's rejects on the order queue to its DLQ through a policy,
   * not queue arguments, so tutorial-style declares keep working.
   */
  async applyDeadLetterPolicy(queue: string, exchange: string): Promise<boolean> {
    try {
      const res = await this.request(
        "PUT",
        `/api/policies/${encodeURIComponent(this.vhost)}/${encodeURIComponent(`warren-dlx-${queue}`)}`,
        {
          pattern: `^${queue.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
          definition: { "dead-letter-exchange": exchange, "dead-letter-routing-key": queue },
          "apply-to": "queues",
          priority: 0,
        },
      );
      return res.ok;
    } catch {
      return false;
    }
  }
}
