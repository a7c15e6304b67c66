import { EventEmitter } from "node:events";
import type { ConsumeMessage } from "amqplib";
import { ResilientChannel } from "../amqp/channel";
import type { BrokerLink } from "../amqp/link";
import { PAYMENT_EVENTS_EXCHANGE } from "../amqp/topology";
import type { Payment } from "../payments/decide";
import { ORIGIN_HEADER, PROCESS_ORIGIN } from "./origin";

/**
 * Relays payment events from the `payments.events` fanout into this process,
 * whichever process recorded the payment (this one or an `npm run worker`).
 * Every web process has its own exclusive, auto-deleted queue on the fanout.
 */
export class PaymentRelay extends EventEmitter {
  private local: EventEmitter | null = null;
  private readonly rc: ResilientChannel;
  relayed = 0;

  constructor(
    link: BrokerLink,
    /** The order queue whose payments this process shows; others' events on the shared fanout are ignored. */
    private readonly queue: string,
    log?: (message: string) => void,
  ) {
    super();
    this.setMaxListeners(0);
    this.rc = new ResilientChannel({
      link,
      name: "events",
      log,
      setup: async (channel) => {
        const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
        await channel.bindQueue(queue, PAYMENT_EVENTS_EXCHANGE, "");
        await channel.consume(queue, (message) => this.relay(message), { noAck: true });
      },
    });
  }

  start(): this {
    this.rc.start();
    return this;
  }

  /** The feed's channel, for health. */
  get channelState(): ResilientChannel {
    return this.rc;
  }

  async stop(): Promise<void> {
    await this.rc.close();
  }

  /**
   * Payments recorded by this process's own consumer go to its dashboards
   * directly: one broker round trip (fanout, relay queue, delivery) less
   * between the commit and the screen. Their copies on the fanout, tagged
   * with this process's origin, are then skipped; other processes still get
   * them from the broker.
   */
  attachLocal(source: EventEmitter): this {
    if (this.local) return this;
    this.local = source;
    source.on("payment", (payment: Payment) => {
      this.relayed++;
      this.emit("payment", payment);
    });
    return this;
  }

  private relay(message: ConsumeMessage | null) {
    // A cancel (our exclusive queue deleted) closes nothing by itself: a fresh channel re-subscribes.
    if (!message) {
      this.rc.reopen("payment feed cancelled by the broker");
      return;
    }
    if (message.fields.routingKey !== this.queue) return;
    if (this.local && message.properties.headers?.[ORIGIN_HEADER] === PROCESS_ORIGIN) return;
    try {
      // A batch (an array, since batching) or a single payment (older processes, scripts).
      const body = JSON.parse(message.content.toString("utf8")) as Payment | Payment[];
      for (const payment of Array.isArray(body) ? body : [body]) {
        this.relayed++;
        this.emit("payment", payment);
      }
    } catch {
      // Not ours; events are advisory, the ledger is the record.
    }
  }
}
