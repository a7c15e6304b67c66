import type { Channel } from "amqplib";
import type { BrokerLink } from "../amqp/link";

/**
 * Passive `checkQueue` on long-lived channels, one per queue (a check on a missing queue closes
 * its channel, so queues do not share one): the history leader reads each tracked queue's depth
 * every second without opening a channel each time.
 */
export class DepthProbe {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly link: BrokerLink) {
    link.on("down", () => this.channels.clear());
  }

  /** Ready and consumers, or null when the queue is missing or the broker cannot be asked. */
  async depth(name: string): Promise<{ ready: number; consumers: number } | null> {
    const model = this.link.current();
    if (!model) return null;
    try {
      let channel = this.channels.get(name);
      if (!channel) {
        channel = await model.createChannel();
        const created = channel;
        created.on("error", () => {});
        created.on("close", () => {
          if (this.channels.get(name) === created) this.channels.delete(name);
        });
        this.channels.set(name, created);
      }
      const ok = await channel.checkQueue(name);
      return { ready: ok.messageCount, consumers: ok.consumerCount };
    } catch {
      return null;
    }
  }

  /** Closes the channels of queues no longer tracked. */
  keepOnly(names: readonly string[]) {
    for (const [name, channel] of this.channels) {
      if (names.includes(name)) continue;
      this.channels.delete(name);
      void channel.close().catch(() => {});
    }
  }

  close() {
    this.keepOnly([]);
  }
}
