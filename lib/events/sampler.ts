import { EventEmitter } from "node:events";
import type { Channel } from "amqplib";
import { bounded } from "../amqp/bounded";
import type { BrokerLink } from "../amqp/link";
import type { ManagementClient } from "../queues/management";

export interface QueueDepth {
  name: string;
  /** False when the queue is missing, and also while the broker cannot be asked (see `unreachable`). */
  exists: boolean;
  /** The broker could not be asked (down, or the check failed for another reason than "not found"). */
  unreachable?: boolean;
  /** While unreachable: the last answer the broker gave, so the page can say "last seen N s ago". */
  lastSeen?: LastSeen | null;
  ready: number | null;
  /** From the management API when it is reachable (it lags a few seconds); null otherwise. */
  unacked: number | null;
  consumers: number | null;
}

export interface LastSeen {
  at: number;
  ready: number | null;
  consumers: number | null;
}

export interface QueueSample {
  at: number;
  broker: "up" | "down";
  queues: QueueDepth[];
}

const UNACKED_REFRESH_MS = 5000;
const SAMPLE_TIMEOUT_MS = 5000;

/**
 * ONE sampler per process, whatever the number of dashboards: it asks the
 * broker for each queue's depth over AMQP (`checkQueue` answers at once,
 * while the management API lags by a statistics interval) and keeps a short
 * history for the sparklines.
 */
export class QueueSampler extends EventEmitter {
  readonly history: QueueSample[] = [];
  private readonly channels = new Map<string, Channel>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly unacked = new Map<string, number>();
  private readonly lastSeen = new Map<string, LastSeen>();
  private unackedAt = 0;
  /** How many samples were taken: proves the count does not grow with clients. */
  samplesTaken = 0;

  constructor(
    private readonly options: {
      link: BrokerLink;
      queues: string[];
      intervalMs: number;
      historySize?: number;
      management?: ManagementClient | null;
    },
  ) {
    super();
    this.setMaxListeners(0);
    // Report a lost or regained broker at once, not at the next interval.
    options.link.on("down", () => {
      this.channels.clear();
      if (this.timer) void this.tick();
    });
    options.link.on("up", () => {
      if (this.timer) void this.tick();
    });
  }

  start(): this {
    if (this.timer) return this;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    return this;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  latest(): QueueSample | null {
    return this.history.at(-1) ?? null;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Before the first connection there is nothing to report yet, not an outage.
      if (this.options.link.state === "connecting") return;
      // Bounded: a check whose reply is lost with the connection must not stop every later tick.
      const sample = await bounded(this.sample(), SAMPLE_TIMEOUT_MS, "queue sample").catch(() => this.downSample());
      this.samplesTaken++;
      this.history.push(sample);
      const max = this.options.historySize ?? 120;
      if (this.history.length > max) this.history.splice(0, this.history.length - max);
      this.emit("sample", sample);
    } finally {
      this.busy = false;
    }
  }

  private async sample(): Promise<QueueSample> {
    const at = Date.now();
    const model = this.options.link.current();
    if (!model) return this.downSample(at);
    this.refreshUnacked();
    const queues = await Promise.all(
      this.options.queues.map(async (name): Promise<QueueDepth> => {
        try {
          let channel = this.channels.get(name);
          if (!channel) {
            // A passive check on a missing queue closes its channel: one channel per queue.
            channel = await model.createChannel();
            const created = channel;
            created.on("error", () => {});
            created.on("close", () => {
              if (this.channels.get(name) === created) this.channels.delete(name);
            });
            this.channels.set(name, created);
          }
          const ok = await channel.checkQueue(name);
          this.lastSeen.set(name, { at, ready: ok.messageCount, consumers: ok.consumerCount });
          return {
            name,
            exists: true,
            ready: ok.messageCount,
            unacked: this.unacked.get(name) ?? null,
            consumers: ok.consumerCount,
          };
        } catch (error) {
          // 404 is the broker saying the queue is not there; anything else means we could not ask.
          if ((error as { code?: unknown }).code === 404) {
            this.lastSeen.delete(name);
            return { name, exists: false, ready: null, unacked: null, consumers: null };
          }
          return this.unreachable(name);
        }
      }),
    );
    return { at, broker: "up", queues };
  }

  private downSample(at = Date.now()): QueueSample {
    return { at, broker: "down", queues: this.options.queues.map((name) => this.unreachable(name)) };
  }

  private unreachable(name: string): QueueDepth {
    return {
      name,
      exists: false,
      unreachable: true,
      lastSeen: this.lastSeen.get(name) ?? null,
      ready: null,
      unacked: null,
      consumers: null,
    };
  }

  private refreshUnacked() {
    const management = this.options.management;
    if (!management || Date.now() - this.unackedAt < UNACKED_REFRESH_MS) return;
    this.unackedAt = Date.now();
    for (const name of this.options.queues) {
      void management.getQueue(name).then((queue) => {
        if (queue && typeof queue.messages_unacknowledged === "number") {
          this.unacked.set(name, queue.messages_unacknowledged);
        } else {
          this.unacked.delete(name);
        }
      });
    }
  }
}
