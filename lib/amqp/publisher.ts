import type { ChannelModel, ConfirmChannel, Options } from "amqplib";
import { WarrenError } from "../errors";
import { ORIGIN_HEADER, PROCESS_ORIGIN } from "../events/origin";
import type { BrokerLink } from "./link";

export interface PublishOptions extends Options.Publish {
  messageId: string;
  /** Fail instead of dropping the message when no queue is bound. Default true. */
  mandatory?: boolean;
}

/**
 * Publishes on a confirm channel: a publish resolves only once the broker has
 * confirmed it, and rejects if the broker returned it as unroutable. The
 * number of unconfirmed publishes is bounded so a slow broker pushes back on
 * callers instead of growing the socket buffer without limit.
 */
export class ConfirmPublisher {
  private channel: ConfirmChannel | null = null;
  private opening: Promise<void> | null = null;
  private readonly returned = new Set<string>();
  private readonly waiters: Array<() => void> = [];
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  /** Publishes the broker confirmed, for Warren's own publish rate. */
  readonly counts = { confirmed: 0 };

  constructor(
    private readonly link: BrokerLink,
    private readonly maxInFlight = 2000,
  ) {
    link.on("up", (model: ChannelModel) => this.open(model));
    link.on("down", () => {
      this.channel = null;
    });
    const model = link.current();
    if (model) this.open(model);
  }

  private open(model: ChannelModel) {
    if (this.opening) return;
    this.opening = (async () => {
      try {
        const channel = await model.createConfirmChannel();
        channel.on("error", () => {});
        channel.on("return", (message) => {
          const id = message.properties.messageId;
          if (typeof id === "string") this.returned.add(id);
        });
        channel.on("close", () => {
          if (this.channel !== channel) return;
          this.channel = null;
          // A channel-level error (not a lost connection): open a new one.
          const live = this.link.current();
          if (live) setTimeout(() => this.open(live), 100);
        });
        this.channel = channel;
        for (const wake of this.waiters.splice(0)) wake();
      } catch {
        // The connection went away while opening; "up" will call us again.
      } finally {
        this.opening = null;
      }
    })();
  }

  get ready(): boolean {
    return this.channel !== null;
  }

  /** Resolves true once the confirm channel is open (at once if it is), false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    return this.channelWithin(timeoutMs).then(
      () => true,
      () => false,
    );
  }

  private async channelWithin(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
    if (this.channel) return this.channel;
    throw new WarrenError(
      "broker_unavailable",
      "The message broker is unreachable right now; nothing was published. Try again in a moment.",
    );
  }

  private async acquireSlot(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.inFlight++;
  }

  private releaseSlot() {
    this.inFlight--;
    this.slotWaiters.shift()?.();
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: PublishOptions,
    { timeoutMs = 2000, confirmTimeoutMs = 10_000 }: { timeoutMs?: number; confirmTimeoutMs?: number } = {},
  ): Promise<void> {
    const channel = await this.channelWithin(timeoutMs);
    await this.acquireSlot();
    const { mandatory = true, ...rest } = options;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new WarrenError("publish_failed", "The broker did not confirm the message in time."));
        }, confirmTimeoutMs);
        try {
          channel.publish(exchange, routingKey, body, { ...rest, mandatory }, (error) => {
            clearTimeout(timer);
            const wasReturned = this.returned.delete(options.messageId);
            if (error) {
              reject(new WarrenError("publish_failed", "The broker refused the message; nothing was published."));
            } else if (wasReturned) {
              reject(new WarrenError("unroutable", `No queue is bound for "${routingKey}" on exchange "${exchange}".`));
            } else {
              this.counts.confirmed++;
              resolve();
            }
          });
        } catch {
          clearTimeout(timer);
          reject(new WarrenError("broker_unavailable", "The broker connection closed while publishing."));
        }
      });
    } finally {
      this.releaseSlot();
    }
  }

  /** Fire-and-forget publish for events that a reader can recover from the DB. */
  publishEvent(exchange: string, body: Buffer, routingKey = ""): boolean {
    const channel = this.channel;
    if (!channel) return false;
    try {
      return channel.publish(exchange, routingKey, body, {
        contentType: "application/json",
        persistent: false,
        headers: { [ORIGIN_HEADER]: PROCESS_ORIGIN },
      });
    } catch {
      return false;
    }
  }
}
