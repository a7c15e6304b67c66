import { EventEmitter } from "node:events";
import amqp, { type ChannelModel } from "amqplib";
import { describeNode, describeNodes, splitNodeList } from "../config/node-list";
import { backoffDelay, bounded, dropChannel, dropConnection } from "./bounded";
import { tolerateUndecodableProperties } from "./tolerant-frames";
import { declareTopology } from "./topology";

export type LinkState = "connecting" | "up" | "down";

export interface BrokerLinkOptions {
  /** One URL, or the nodes of a cluster comma-separated: each attempt tries the next one. */
  url: string;
  /** Shown in the management UI's connection list. */
  name: string;
  /** Order queues whose topology is (re)declared after every connect. */
  queues: string[];
  heartbeatSeconds?: number;
  log?: (message: string) => void;
  /** TCP connect plus the AMQP handshake. */
  connectTimeoutMs?: number;
  /** Topology declared after the handshake. */
  setupTimeoutMs?: number;
  /** Backoff between failed attempts: starts here, doubles, never above maxDelayMs; attempts are not capped. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How often the watchdog checks that a link that is not up has an attempt in flight or scheduled. */
  watchdogMs?: number;
}

export interface LinkStatus {
  name: string;
  state: LinkState;
  /** When the link entered this state. */
  since: number;
  lastError: string | null;
  /** The node the link is on (or trying), as host:port/vhost: never a password. */
  node?: string;
  /** Failed attempts since the link was last up. */
  failedAttempts: number;
  attemptInFlight: boolean;
  nextAttemptAt: number | null;
}

/**
 * One long-lived AMQP connection and the ONE reconnect path every channel of
 * this process relies on. Each attempt is bounded step by step (connect and
 * handshake, then the topology), and an attempt that fails or times out
 * drops what it opened and schedules the next one, so a link that is not up
 * always has an attempt in flight or on a timer; a watchdog checks that.
 * amqplib's own `recovery` is not used: its attempt awaits `channel.close()`
 * and `connection.close()`, which never settle when the socket dies before
 * the broker's close-ok (a broker restart racing the reconnect), and then no
 * further attempt is ever scheduled.
 */
export class BrokerLink extends EventEmitter {
  state: LinkState = "connecting";
  lastError: string | null = null;
  since = Date.now();
  private model: ChannelModel | null = null;
  private closed = false;
  private started = false;
  private attempt: { id: number; startedAt: number } | null = null;
  private attemptSeq = 0;
  private failedAttempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextAttemptAt: number | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private redeclaring: Promise<void> | null = null;
  /** amqplib has no host list: the link rotates through the nodes itself. */
  private readonly nodes: string[];
  /** The node of the attempt in flight, or of the live connection. */
  private nodeIndex = 0;

  constructor(private readonly options: BrokerLinkOptions) {
    super();
    this.setMaxListeners(100);
    this.nodes = splitNodeList(options.url).filter(Boolean);
    if (this.nodes.length === 0) throw new Error(`[${options.name}] no broker URL given`);
  }

  /** The node the link is on, or the one it tries next (host:port/vhost). */
  node(): string {
    return describeNode(this.nodes[this.nodeIndex] as string);
  }

  private get connectTimeoutMs() {
    return this.options.connectTimeoutMs ?? 5000;
  }

  private get setupTimeoutMs() {
    return this.options.setupTimeoutMs ?? 5000;
  }

  /** Starts connecting (without waiting for the broker) and the watchdog. */
  async start(): Promise<this> {
    if (this.started || this.closed) return this;
    this.started = true;
    this.watchdog = setInterval(() => this.checkAttempt(), this.options.watchdogMs ?? 1000);
    this.watchdog.unref();
    void this.connectOnce();
    return this;
  }

  status(): LinkStatus {
    return {
      name: this.options.name,
      state: this.state,
      since: this.since,
      lastError: this.lastError,
      node: this.node(),
      failedAttempts: this.failedAttempts,
      attemptInFlight: this.attempt !== null,
      nextAttemptAt: this.nextAttemptAt,
    };
  }

  /** The live connection, or null while (re)connecting. */
  current(): ChannelModel | null {
    return this.model;
  }

  /**
   * Declares the topology again on the live connection: after the broker
   * cancelled a consumer (queue deleted) or returned a publish as unroutable.
   * Concurrent calls share one declare.
   */
  redeclareTopology(reason: string): Promise<void> {
    const model = this.model;
    if (!model) return Promise.resolve();
    this.redeclaring ??= (async () => {
      this.options.log?.(`[${this.options.name}] re-declaring the topology: ${reason}`);
      try {
        await bounded(this.declare(model), this.setupTimeoutMs, "topology re-declare");
      } catch (error) {
        this.options.log?.(`[${this.options.name}] topology re-declare failed: ${(error as Error).message}`);
      }
    })().finally(() => {
      this.redeclaring = null;
    });
    return this.redeclaring;
  }

  private async declare(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on("error", () => {});
    try {
      for (const queue of this.options.queues) await declareTopology(channel, queue);
    } finally {
      // Never awaited unbounded: a close-ok lost with the socket would hang the attempt.
      void dropChannel(channel);
    }
  }

  private async connectOnce(): Promise<void> {
    if (this.closed || this.attempt || this.model) return;
    const id = ++this.attemptSeq;
    this.attempt = { id, startedAt: Date.now() };
    this.nextAttemptAt = null;
    const { name, log } = this.options;
    const url = this.nodes[this.nodeIndex] as string;
    const where = this.nodes.length > 1 ? ` ${describeNode(url)}` : "";
    let model: ChannelModel | null = null;
    const stale = () => this.closed || this.attempt?.id !== id;
    try {
      model = await bounded(
        amqp.connect(withHeartbeat(url, this.options.heartbeatSeconds ?? 10), {
          noDelay: true,
          // Bounds the TCP connect itself; `bounded` covers the handshake after it.
          timeout: this.connectTimeoutMs,
          clientProperties: { connection_name: name },
        }),
        this.connectTimeoutMs,
        "connect and handshake",
        (late) => void dropConnection(late),
      );
      model.on("error", (error: Error) => {
        this.lastError = error.message;
      });
      if (!tolerateUndecodableProperties(model)) {
        log?.(`[${name}] amqplib internals changed: a message with undecodable headers will drop this connection`);
      }
      const opened = model;
      let lostEarly: Error | null = null;
      model.once("close", (error?: Error) => {
        lostEarly ??= error ?? new Error("connection closed");
        this.onClosed(opened, lostEarly);
      });
      await bounded(this.declare(model), this.setupTimeoutMs, "topology setup");
      if (lostEarly) throw lostEarly;
      if (stale()) {
        void dropConnection(model);
        return;
      }
      model.on("blocked", (reason: string) => log?.(`[${name}] blocked by the broker: ${reason}`));
      this.model = model;
      this.failedAttempts = 0;
      this.lastError = null;
      this.setState("up");
      this.attempt = null;
      log?.(`[${name}] connected${where}`);
      this.emit("up", model);
    } catch (error) {
      if (model) void dropConnection(model);
      if (stale()) return;
      this.attempt = null;
      this.failedAttempts++;
      this.lastError = (error as Error).message;
      // The next attempt goes to the next node: a dead or refusing node is not retried first.
      this.nextNode();
      this.setState("down");
      this.emit("down", error);
      this.schedule();
      log?.(
        `[${name}] connect attempt ${this.failedAttempts}${where} failed: ${(error as Error).message}; next${this.nodes.length > 1 ? ` ${this.node()}` : ""} in ${Math.max(0, (this.nextAttemptAt ?? Date.now()) - Date.now())} ms`,
      );
    } finally {
      if (this.attempt?.id === id) this.attempt = null;
    }
  }

  private onClosed(model: ChannelModel, error: Error) {
    if (this.model !== model) return;
    this.model = null;
    this.lastError = error.message;
    // The node just lost is the last one to try again, not the first.
    const lost = this.node();
    this.nextNode();
    this.setState("down");
    this.options.log?.(
      this.nodes.length > 1
        ? `[${this.options.name}] lost the broker node ${lost}: ${error.message}; reconnecting, next ${this.node()}`
        : `[${this.options.name}] lost the broker: ${error.message}; reconnecting`,
    );
    this.emit("down", error);
    this.schedule();
  }

  private schedule() {
    if (this.closed || this.timer || this.attempt || this.model) return;
    const delay = backoffDelay(
      this.failedAttempts,
      this.options.initialDelayMs ?? 100,
      this.options.maxDelayMs ?? 1000,
    );
    this.nextAttemptAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connectOnce();
    }, delay);
  }

  /**
   * The watchdog: a link that is not up must have an attempt in flight or
   * scheduled, and no attempt may outlive its bounds (each step is bounded,
   * so this only fires on a defect, and says so).
   */
  private checkAttempt() {
    if (this.closed || this.model) return;
    const { name, log } = this.options;
    const limit = this.connectTimeoutMs + this.setupTimeoutMs + 2000;
    if (this.attempt && Date.now() - this.attempt.startedAt > limit) {
      log?.(`[${name}] watchdog: an attempt ran past ${limit} ms; abandoning it`);
      this.attempt = null;
    }
    if (!this.attempt && !this.timer) {
      log?.(`[${name}] watchdog: down with no attempt in flight or scheduled; starting one`);
      void this.connectOnce();
    }
  }

  private nextNode() {
    this.nodeIndex = (this.nodeIndex + 1) % this.nodes.length;
  }

  private setState(state: LinkState) {
    if (this.state !== state) this.since = Date.now();
    this.state = state;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.timer = null;
    this.watchdog = null;
    const model = this.model;
    this.model = null;
    this.setState("down");
    if (model) await dropConnection(model, 2000);
  }
}

export function withHeartbeat(url: string, seconds: number): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}heartbeat=${seconds}`;
}

/** What a log line or page shows for a broker URL or node list: host:port/vhost per node, never a password. */
export function describeUrl(url: string): string {
  return describeNodes(url);
}
