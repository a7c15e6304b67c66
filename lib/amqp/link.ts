import { EventEmitter } from "node:events";
import amqp, { type ChannelModel, type RecoveringChannelModel } from "amqplib";
import { declareTopology } from "./topology";

export type LinkState = "connecting" | "up" | "down";

export interface BrokerLinkOptions {
  url: string;
  /** Shown in the management UI's connection list. */
  name: string;
  /** Order queues whose topology is (re)declared after every connect. */
  queues: string[];
  heartbeatSeconds?: number;
  log?: (message: string) => void;
}

/**
 * One long-lived AMQP connection with amqplib's built-in recovery. Channels
 * belong to the underlying connection, so users listen for "up" and open
 * their channels there; the topology is declared in `setup` before "up".
 */
export class BrokerLink extends EventEmitter {
  state: LinkState = "connecting";
  lastError: string | null = null;
  private model: ChannelModel | null = null;
  private connection: RecoveringChannelModel | null = null;
  private closed = false;

  constructor(private readonly options: BrokerLinkOptions) {
    super();
    this.setMaxListeners(100);
  }

  async start(): Promise<this> {
    if (this.connection || this.closed) return this;
    const { url, name, queues, log } = this.options;
    const connection = await amqp.connect(withHeartbeat(url, this.options.heartbeatSeconds ?? 10), {
      noDelay: true,
      clientProperties: { connection_name: name },
      recovery: {
        initialDelay: 100,
        maxDelay: 500,
        factor: 2,
        jitter: 0.2,
        waitForConnect: false,
        async setup(model: ChannelModel) {
          const channel = await model.createChannel();
          channel.on("error", () => {});
          for (const queue of queues) await declareTopology(channel, queue);
          await channel.close();
        },
      },
    });
    this.connection = connection;
    connection.on("connect", (model: ChannelModel) => {
      this.model = model;
      this.state = "up";
      this.lastError = null;
      log?.(`[${name}] connected`);
      this.emit("up", model);
    });
    connection.on("disconnect", (error: Error) => this.markDown(error));
    connection.on("connect-failed", (error: Error) => this.markDown(error));
    connection.on("error", (error: Error) => {
      this.lastError = error.message;
    });
    connection.on("blocked", (reason: string) => log?.(`[${name}] blocked by the broker: ${reason}`));
    return this;
  }

  private markDown(error: Error) {
    const wasUp = this.state === "up";
    this.model = null;
    this.state = "down";
    this.lastError = error.message;
    if (wasUp) this.options.log?.(`[${this.options.name}] lost the broker: ${error.message}; reconnecting`);
    this.emit("down", error);
  }

  /** The live connection, or null while (re)connecting. */
  current(): ChannelModel | null {
    return this.model;
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    this.model = null;
    this.state = "down";
    if (connection) await connection.close().catch(() => {});
  }
}

export function withHeartbeat(url: string, seconds: number): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}heartbeat=${seconds}`;
}

/** Strips credentials so a URL can be logged or shown. */
export function describeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}
