import { EventEmitter } from "node:events";
import type { Channel, ChannelModel, ConfirmChannel } from "amqplib";
import { backoffDelay, bounded, dropChannel } from "./bounded";
import type { BrokerLink } from "./link";

export type ChannelState = "connecting" | "open" | "closed";

export interface ResilientChannelOptions<C extends Channel> {
  link: BrokerLink;
  /** For logs: "payments", "publisher", "control"... */
  name: string;
  confirm?: boolean;
  /**
   * Everything the channel needs after every (re)open: declares, prefetch,
   * consumers, listeners. Bounded by `setupTimeoutMs`; a failure or timeout
   * drops the channel and tries again with backoff.
   */
  setup?: (channel: C) => Promise<void>;
  setupTimeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  log?: (message: string) => void;
}

/**
 * One channel that stays open: a state machine (connecting / open / closed)
 * with ONE reopen path for every cause (the connection came back, the
 * channel alone was closed by an error, the broker cancelled a consumer, a
 * user asked for a fresh channel), with exponential backoff and no retry
 * cap, and the setup run again on every open. Emits "open" (channel),
 * "lost" (reason) when an open channel went away, and "failed" (reason) when
 * an open or its setup did not succeed.
 */
export class ResilientChannel<C extends Channel = Channel> extends EventEmitter {
  state: ChannelState = "connecting";
  lastError: string | null = null;
  since = Date.now();
  private channel: C | null = null;
  private opening: number | null = null;
  private seq = 0;
  private failures = 0;
  private openedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly onUp = () => this.openSoon(0);

  constructor(private readonly options: ResilientChannelOptions<C>) {
    super();
    this.setMaxListeners(50);
  }

  start(): this {
    if (this.started || this.state === "closed") return this;
    this.started = true;
    this.options.link.on("up", this.onUp);
    if (this.options.link.current()) this.openSoon(0);
    return this;
  }

  /** The open channel, or null while (re)opening. */
  current(): C | null {
    return this.channel;
  }

  /** Drops the current channel and opens a new one (a nack streak, a cancelled consumer). */
  reopen(reason: string): void {
    const channel = this.channel;
    if (this.state === "closed") return;
    this.options.log?.(`[${this.options.name}] reopening the channel: ${reason}`);
    if (channel) {
      this.lost(channel, reason);
      void dropChannel(channel);
    } else {
      this.openSoon(0);
    }
  }

  private openSoon(delay: number) {
    if (this.state === "closed" || this.timer || this.opening !== null || this.channel) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.open();
    }, delay);
    // The connection's socket keeps a process alive; a retry timer alone must not.
    this.timer.unref();
  }

  private async open(): Promise<void> {
    if (this.state === "closed" || this.opening !== null || this.channel) return;
    const model = this.options.link.current();
    if (!model) return; // the link's "up" opens it
    const id = ++this.seq;
    this.opening = id;
    const { name, setup, log } = this.options;
    const timeoutMs = this.options.setupTimeoutMs ?? 5000;
    let channel: C | null = null;
    try {
      channel = (await bounded(
        this.create(model),
        timeoutMs,
        `${name}: open channel`,
        (late) => void dropChannel(late),
      )) as C;
      const opened = channel;
      let closedEarly = false;
      opened.on("error", (error: Error) => {
        this.lastError = error.message;
        log?.(`[${name}] channel error: ${error.message}`);
      });
      opened.on("close", () => {
        closedEarly = true;
        if (this.channel === opened) this.lost(opened, this.lastError ?? "channel closed");
      });
      if (setup) await bounded(setup(opened), timeoutMs, `${name}: channel setup`);
      if (closedEarly) throw new Error(this.lastError ?? "channel closed during setup");
      if (this.isClosed() || this.opening !== id) {
        void dropChannel(opened);
        return;
      }
      this.channel = opened;
      this.openedAt = Date.now();
      this.setState("open");
      this.opening = null;
      this.emit("open", opened);
    } catch (error) {
      if (channel) void dropChannel(channel);
      if (this.opening !== id) return;
      this.opening = null;
      this.failures++;
      this.lastError = (error as Error).message;
      if (this.isClosed()) return;
      log?.(`[${name}] could not open the channel: ${(error as Error).message}`);
      this.emit("failed", (error as Error).message);
      // A dead connection is the link's to restore; its "up" reopens us.
      if (this.options.link.current() === model) {
        this.openSoon(backoffDelay(this.failures, this.options.initialDelayMs ?? 100, this.options.maxDelayMs ?? 1000));
      }
    } finally {
      if (this.opening === id) this.opening = null;
    }
  }

  private create(model: ChannelModel): Promise<Channel | ConfirmChannel> {
    return this.options.confirm ? model.createConfirmChannel() : model.createChannel();
  }

  private lost(channel: C, reason: string) {
    if (this.channel !== channel) return;
    this.channel = null;
    if (this.state === "closed") return;
    this.setState("connecting");
    this.emit("lost", reason);
    // Only a channel that stayed open a while earns a fresh backoff: open-then-close loops slow down.
    if (Date.now() - this.openedAt > 5000) this.failures = 0;
    this.failures++;
    // A channel closed alone (connection still up) reopens at once, then with backoff.
    if (this.options.link.current()) {
      this.openSoon(
        this.failures <= 1
          ? 0
          : backoffDelay(this.failures - 1, this.options.initialDelayMs ?? 100, this.options.maxDelayMs ?? 1000),
      );
    }
  }

  /** A method, not a field test: the state changes across awaits, which TypeScript's narrowing does not see. */
  private isClosed(): boolean {
    return this.state === "closed";
  }

  private setState(state: ChannelState) {
    if (this.state !== state) this.since = Date.now();
    this.state = state;
  }

  async close(): Promise<void> {
    this.setState("closed");
    this.options.link.off("up", this.onUp);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const channel = this.channel;
    this.channel = null;
    if (channel) await dropChannel(channel);
  }
}
