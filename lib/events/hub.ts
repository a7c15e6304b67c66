import { EventEmitter } from "node:events";
import type { ChannelModel } from "amqplib";
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
  private opening = false;
  private local: EventEmitter | null = null;
  relayed = 0;

  constructor(
    private readonly link: BrokerLink,
    /** The order queue whose payments this process shows; others' events on the shared fanout are ignored. */
    private readonly queue: string,
    private readonly log?: (message: string) => void,
  ) {
    super();
    this.setMaxListeners(0);
  }

  start(): this {
    this.link.on("up", (model: ChannelModel) => void this.open(model));
    const model = this.link.current();
    if (model) void this.open(model);
    return this;
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

  private async open(model: ChannelModel) {
    if (this.opening) return;
    this.opening = true;
    try {
      const channel = await model.createChannel();
      channel.on("error", () => {});
      channel.on("close", () => {
        const live = this.link.current();
        if (live === model) setTimeout(() => void this.open(model), 250);
      });
      const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, PAYMENT_EVENTS_EXCHANGE, "");
      await channel.consume(
        queue,
        (message) => {
          if (!message || message.fields.routingKey !== this.queue) return;
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
        },
        { noAck: true },
      );
    } catch (error) {
      this.log?.(`[events] could not subscribe to payment events: ${(error as Error).message}`);
    } finally {
      this.opening = false;
    }
  }
}
