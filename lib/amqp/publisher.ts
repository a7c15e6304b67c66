import { EventEmitter } from "node:events";
import type { ConfirmChannel, Options } from "amqplib";
import { WarrenError } from "../errors";
import { ORIGIN_HEADER, PROCESS_ORIGIN } from "../events/origin";
import { ResilientChannel } from "./channel";
import type { BrokerLink } from "./link";
import { ORDERS_EXCHANGE } from "./topology";

/** Nacks in a row after which the confirm channel is replaced. */
export const NACK_STREAK_REOPEN = 5;

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
export class ConfirmPublisher extends EventEmitter {
  private readonly rc: ResilientChannel<ConfirmChannel>;
  private readonly returned = new Set<string>();
  private readonly waiters: Array<() => void> = [];
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private nackStreak = 0;
  /** Publishes the broker confirmed, for Warren's own publish rate. */
  readonly counts = { confirmed: 0, nacked: 0, returned: 0, reopenedAfterNacks: 0 };
  /** The last publish the broker returned as unroutable, for health; cleared by the next routed publish. */
  lastUnroutable: { at: number; exchange: string; routingKey: string } | null = null;

  constructor(
    private readonly link: BrokerLink,
    private readonly maxInFlight = 2000,
    log?: (message: string) => void,
  ) {
    super();
    this.rc = new ResilientChannel<ConfirmChannel>({
      link,
      name: "publisher",
      confirm: true,
      log,
      setup: async (channel) => {
        channel.on("return", (message) => {
          const id = message.properties.messageId;
          if (typeof id === "string") this.returned.add(id);
        });
      },
    });
    this.rc.on("open", () => {
      this.nackStreak = 0;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.rc.start();
  }

  /** The channel's state machine, for health. */
  get channelState(): ResilientChannel<ConfirmChannel> {
    return this.rc;
  }

  private get channel(): ConfirmChannel | null {
    return this.rc.current();
  }

  /**
   * A confirm channel on a RabbitMQ 3.10 quorum queue can keep nacking every
   * publish after a leader failover; a fresh channel fixes it at once.
   */
  private noteNack() {
    this.counts.nacked++;
    if (++this.nackStreak < NACK_STREAK_REOPEN) return;
    this.nackStreak = 0;
    this.counts.reopenedAfterNacks++;
    this.rc.reopen(`${NACK_STREAK_REOPEN} nacks in a row`);
  }

  private noteReturned(exchange: string, routingKey: string) {
    this.counts.returned++;
    this.lastUnroutable = { at: Date.now(), exchange, routingKey };
    this.emit("unroutable", { exchange, routingKey });
    // Our own order queue's binding was lost (queue deleted and re-created by someone else):
    // declare the whole topology again so the outbox's next try is routed.
    if (exchange === ORDERS_EXCHANGE) void this.link.redeclareTopology(`a publish to ${exchange} was unroutable`);
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
              this.noteNack();
              reject(new WarrenError("publish_failed", "The broker refused the message; nothing was published."));
            } else if (wasReturned) {
              this.nackStreak = 0;
              this.noteReturned(exchange, routingKey);
              reject(new WarrenError("unroutable", `No queue is bound for "${routingKey}" on exchange "${exchange}".`));
            } else {
              this.nackStreak = 0;
              if (exchange === this.lastUnroutable?.exchange) this.lastUnroutable = null;
              this.counts.confirmed++;
              resolve();
            }
          });
        } catch (error) {
          clearTimeout(timer);
          // amqplib throws for a closed channel AND for a message it cannot encode (properties
          // over its 64 KiB buffer): only the first is the broker's doing.
          const closed = this.channel !== channel || /clos/i.test((error as Error).message);
          reject(
            closed
              ? new WarrenError("broker_unavailable", "The broker connection closed while publishing.")
              : new WarrenError("publish_failed", `The message could not be encoded: ${(error as Error).message}`),
          );
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
