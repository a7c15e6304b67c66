/**
 * A small client for RabbitMQ's management HTTP API. Everything here is
 * optional: when the plugin is not enabled, callers fall back to AMQP.
 */
export interface ManagementOptions {
  baseUrl: string;
  /** The AMQP URL whose user, password and vhost are reused. */
  amqpUrl: string;
  timeoutMs?: number;
}

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

  constructor(private readonly options: ManagementOptions) {
    const url = new URL(options.amqpUrl);
    const user = decodeURIComponent(url.username || "guest");
    const pass = decodeURIComponent(url.password || "guest");
    this.auth = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    const path = url.pathname.replace(/^\//, "");
    this.vhost = path === "" ? "/" : decodeURIComponent(path);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    this.calls++;
    return fetch(`${this.options.baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers: { authorization: this.auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 1500),
    });
  }

  async getQueue(name: string): Promise<ManagementQueue | null> {
    try {
      const res = await this.request(
        "GET",
        `/api/queues/${encodeURIComponent(this.vhost)}/${encodeURIComponent(name)}?columns=name,messages_ready,messages_unacknowledged,consumers`,
      );
      if (!res.ok) return null;
      return (await res.json()) as ManagementQueue;
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
