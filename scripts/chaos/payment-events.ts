import amqp from "amqplib";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import { splitNodeList } from "../../lib/config/node-list";

/**
 * Counts the payment events on the `payments.events` fanout per order id: what every dashboard
 * is told was paid. The payments table cannot show a double payment (its order id is UNIQUE);
 * this can, because it sees what left the consumer, not what the constraint let in.
 *
 * Its queue is exclusive and transient, so events published while its connection is down are
 * not seen (a broker restart): `unseen` says how many paid orders it never saw.
 */
export class PaymentEventCounter {
  readonly perOrder = new Map<string, number>();
  events = 0;
  private connection: amqp.ChannelModel | null = null;
  private stopped = false;
  private ready: Promise<void> | null = null;
  /** The nodes of `url` (one URL, or a cluster's comma-separated list), tried in turn. */
  private readonly nodes: string[];
  private next = 0;

  constructor(
    url: string,
    /** The order queue whose payments count: the fanout is shared by every pipeline on the broker. */
    private readonly queue: string,
  ) {
    this.nodes = splitNodeList(url).filter(Boolean);
  }

  /** Resolves once the counter's queue is bound, so every event published afterwards is counted. */
  start(): Promise<void> {
    this.ready ??= this.open();
    return this.ready;
  }

  private async open(): Promise<void> {
    const url = this.nodes[this.next++ % this.nodes.length] as string;
    const connection = await amqp.connect(url, { timeout: 2000 });
    this.connection = connection;
    connection.on("error", () => {});
    connection.on("close", () => {
      if (!this.stopped) void this.reopen();
    });
    const channel = await connection.createChannel();
    await channel.assertExchange(PAYMENT_EVENTS_EXCHANGE, "fanout", { durable: true });
    const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, PAYMENT_EVENTS_EXCHANGE, "");
    await channel.consume(
      queue,
      (message) => {
        if (!message || message.fields.routingKey !== this.queue) return;
        this.count(message.content);
      },
      { noAck: true },
    );
  }

  private async reopen() {
    while (!this.stopped) {
      try {
        await this.open();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** One event is a JSON array of the payments one batch committed. */
  private count(content: Buffer) {
    let payments: unknown;
    try {
      payments = JSON.parse(content.toString("utf8"));
    } catch {
      return;
    }
    if (!Array.isArray(payments)) return;
    for (const payment of payments) {
      const orderId = (payment as { orderId?: unknown })?.orderId;
      if (typeof orderId !== "string") continue;
      this.events++;
      this.perOrder.set(orderId, (this.perOrder.get(orderId) ?? 0) + 1);
    }
  }

  /** Payment events beyond the first, over the given orders. */
  duplicated(orders: Iterable<string>): number {
    let extra = 0;
    for (const id of orders) extra += Math.max(0, (this.perOrder.get(id) ?? 0) - 1);
    return extra;
  }

  /** How many of the given orders the counter never saw an event for. */
  unseen(orders: Iterable<string>): number {
    let missing = 0;
    for (const id of orders) if (!this.perOrder.has(id)) missing++;
    return missing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection?.close().catch(() => {});
  }
}
