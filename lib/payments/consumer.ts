import { EventEmitter } from "node:events";
import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { DEAD_LETTER_EXCHANGE, PAYMENT_EVENTS_EXCHANGE } from "../amqp/topology";
import { isStoreUnavailable } from "../store/unavailable";
import { decodeOrderMessage, type LedgerOutcome, type PayableOrder, type Payment } from "./decide";
import type { LedgerEntry, PaymentLedger } from "./ledger";

export const REASON_HEADER = "x-warren-reason";
export const ORIGINAL_QUEUE_HEADER = "x-warren-original-queue";
export const DEAD_LETTERED_AT_HEADER = "x-warren-dead-lettered-at";

/** How many times a delivery may fail for reasons of ours (DB error) before it is dead-lettered. */
export const MAX_HANDLER_ATTEMPTS = 3;

export interface PaymentConsumerOptions {
  consumeLink: BrokerLink;
  publisher: ConfirmPublisher;
  ledger: PaymentLedger;
  queue: string;
  prefetch: number;
  log?: (message: string) => void;
}

interface Delivery {
  channel: Channel;
  message: ConsumeMessage;
  receivedAt: number;
}

export interface ConsumerStats {
  running: boolean;
  paid: number;
  duplicates: number;
  deadLettered: number;
  inFlight: number;
  /** Deliveries received and acks sent: Warren's own consume and ack rates. */
  delivered: number;
  acked: number;
  /** Paused by an operator: the channel stays open, the consumer tag is cancelled. */
  paused: boolean;
  prefetch: number;
}

/**
 * The payment service. Deliveries that arrive together are recorded in one
 * DB transaction and acked only after it is on disk. Invalid and conflicting
 * messages are published to the dead-letter queue with the reason in a header
 * (confirmed) and then acked, so they never loop or crash the consumer.
 */
export class PaymentConsumer extends EventEmitter {
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private buffer: Delivery[] = [];
  private flushScheduled = false;
  private stopping = false;
  private readonly failures = new Map<string, number>();
  private opening = false;
  private subscribing: Promise<void> | null = null;
  readonly stats: ConsumerStats;

  constructor(private readonly options: PaymentConsumerOptions) {
    super();
    this.stats = {
      running: false,
      paid: 0,
      duplicates: 0,
      deadLettered: 0,
      inFlight: 0,
      delivered: 0,
      acked: 0,
      paused: false,
      prefetch: options.prefetch,
    };
  }

  /** The order queue this consumer pays from. */
  get queue(): string {
    return this.options.queue;
  }

  start(): this {
    const { consumeLink } = this.options;
    consumeLink.on("up", (model: ChannelModel) => void this.open(model));
    consumeLink.on("down", () => {
      this.channel = null;
      this.consumerTag = null;
      this.stats.running = false;
    });
    const model = consumeLink.current();
    if (model) void this.open(model);
    return this;
  }

  private async open(model: ChannelModel): Promise<void> {
    if (this.opening || this.stopping || this.channel) return;
    this.opening = true;
    const { queue, log } = this.options;
    try {
      const channel = await model.createChannel();
      channel.on("error", (error: Error) => log?.(`[payments] channel error: ${error.message}`));
      channel.on("close", () => {
        if (this.channel !== channel) return;
        this.channel = null;
        this.consumerTag = null;
        this.stats.running = false;
        const live = this.options.consumeLink.current();
        if (live && !this.stopping) setTimeout(() => void this.open(live), 250);
      });
      await channel.prefetch(this.stats.prefetch);
      await channel.assertQueue(queue, { durable: true });
      this.channel = channel;
      if (!this.stats.paused) await this.subscribe(channel);
    } catch (error) {
      log?.(`[payments] could not start consuming: ${(error as Error).message}`);
    } finally {
      this.opening = false;
    }
  }

  private subscribe(channel: Channel): Promise<void> {
    if (this.consumerTag) return Promise.resolve();
    // One subscribe at a time: a resume racing a reconnect must not start two consumers.
    this.subscribing ??= this.consumeOn(channel).finally(() => {
      this.subscribing = null;
    });
    return this.subscribing;
  }

  private async consumeOn(channel: Channel): Promise<void> {
    const { queue, log } = this.options;
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message === null) {
        // The broker cancelled us (queue deleted): declare it again and resubscribe.
        log?.(`[payments] consumer cancelled by the broker; re-subscribing to ${queue}`);
        this.consumerTag = null;
        this.stats.running = false;
        setTimeout(() => void this.resubscribe(channel), 500);
        return;
      }
      this.enqueue({ channel, message, receivedAt: Date.now() });
    });
    if (this.stats.paused || this.stopping) {
      // Paused while the subscribe was on its way.
      await channel.cancel(consumerTag).catch(() => {});
      return;
    }
    this.consumerTag = consumerTag;
    this.stats.running = true;
    log?.(`[payments] consuming ${queue} (prefetch ${this.stats.prefetch})`);
  }

  private async resubscribe(channel: Channel): Promise<void> {
    if (this.stopping || this.stats.paused || this.channel !== channel) return;
    try {
      await channel.assertQueue(this.options.queue, { durable: true });
      await this.subscribe(channel);
    } catch (error) {
      this.options.log?.(`[payments] re-subscribe failed: ${(error as Error).message}`);
    }
  }

  private enqueue(delivery: Delivery) {
    this.buffer.push(delivery);
    this.stats.inFlight++;
    this.stats.delivered++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;

    const payable: Array<{ delivery: Delivery; entry: LedgerEntry }> = [];
    const deadLetters: Array<{ delivery: Delivery; reason: string; orderId: string | null }> = [];
    for (const delivery of batch) {
      const { content, properties } = delivery.message;
      const decoded = decodeOrderMessage(content, properties.timestamp);
      if (decoded.kind === "invalid") {
        deadLetters.push({ delivery, reason: decoded.reason, orderId: null });
      } else {
        payable.push({ delivery, entry: this.entryOf(delivery, decoded.order) });
      }
    }

    let outcomes: Array<LedgerOutcome | undefined> = [];
    try {
      outcomes = await this.options.ledger.recordBatch(payable.map((p) => p.entry));
    } catch {
      // One entry (or the DB) failed: record them one by one, so only a failing one counts an attempt
      // and a message that makes the handler throw cannot drag good ones into the DLQ with it.
      outcomes = [];
      for (const { delivery, entry } of payable) {
        try {
          outcomes.push((await this.options.ledger.recordBatch([entry]))[0]);
        } catch (error) {
          // Our side failed (disk full, locked DB, a bug): retry a bounded number of times.
          this.retryOrGiveUp(delivery, entry, error as Error, deadLetters);
          outcomes.push(undefined);
        }
      }
    }

    if (outcomes.some((outcome) => outcome !== undefined)) {
      try {
        // The commit above did not fsync (that would stall the event loop): nothing is acked
        // or announced until the WAL is on disk.
        await this.options.ledger.durable();
      } catch (error) {
        // Unknown whether it reached the disk: let it come again; the ledger then finds the
        // row (a duplicate, acked) or records it anew.
        payable.forEach(({ delivery, entry }, index) => {
          if (outcomes[index]) this.retryOrGiveUp(delivery, entry, error as Error, deadLetters);
        });
        outcomes = [];
      }
    }

    const paid: Payment[] = [];
    payable.forEach(({ delivery, entry }, index) => {
      const outcome = outcomes[index];
      if (!outcome) return;
      if (outcome.kind === "conflict") {
        deadLetters.push({ delivery, reason: outcome.reason, orderId: entry.order.orderId });
        return;
      }
      this.failures.delete(entry.messageId);
      this.ack(delivery, entry.messageId);
      if (outcome.kind === "paid") {
        this.stats.paid++;
        paid.push(outcome.payment);
      } else {
        this.stats.duplicates++;
        this.emit("duplicate", { orderId: outcome.orderId, messageId: entry.messageId });
      }
    });

    if (paid.length > 0) {
      // One event message per committed batch (a JSON array), not one per payment: the batch
      // was committed together, and every process on the fanout parses one message, not ten.
      // The routing key names the order queue: one fanout serves every Warren on the broker,
      // and each relay keeps only its own pipeline's payments.
      this.options.publisher.publishEvent(
        PAYMENT_EVENTS_EXCHANGE,
        Buffer.from(JSON.stringify(paid)),
        this.options.queue,
      );
      for (const payment of paid) this.emit("payment", payment);
    }

    await Promise.all(deadLetters.map((d) => this.deadLetter(d.delivery, d.reason, d.orderId)));
  }

  private entryOf({ message, receivedAt }: Delivery, order: PayableOrder): LedgerEntry {
    const id = message.properties.messageId;
    return {
      order,
      messageId: typeof id === "string" && id.length > 0 ? id : `order:${order.orderId}`,
      redelivered: message.fields.redelivered,
      deliveredAt: receivedAt,
    };
  }

  private retryOrGiveUp(
    delivery: Delivery,
    entry: LedgerEntry,
    error: Error,
    deadLetters: Array<{ delivery: Delivery; reason: string; orderId: string | null }>,
  ) {
    if (isStoreUnavailable(error)) {
      // The database is away (restarting, unreachable): nothing is wrong with the message. It
      // waits, however long that takes, instead of using up its attempts and being dead-lettered.
      this.options.log?.(`[payments] store unavailable (${error.message}): ${entry.order.orderId} waits for it`);
      setTimeout(() => this.settle(delivery, (ch, m) => ch.nack(m, false, true)), 1000);
      return;
    }
    const attempts = (this.failures.get(entry.messageId) ?? 0) + 1;
    this.failures.set(entry.messageId, attempts);
    if (attempts >= MAX_HANDLER_ATTEMPTS) {
      this.failures.delete(entry.messageId);
      deadLetters.push({
        delivery,
        reason: `handler failed ${attempts} times: ${error.message}`,
        orderId: entry.order.orderId,
      });
      return;
    }
    this.options.log?.(`[payments] recording ${entry.order.orderId} failed (attempt ${attempts}): ${error.message}`);
    setTimeout(() => this.settle(delivery, (ch, m) => ch.nack(m, false, true)), 200 * attempts);
  }

  private async deadLetter(delivery: Delivery, reason: string, orderId: string | null): Promise<void> {
    const { message } = delivery;
    const { queue, publisher, ledger, log } = this.options;
    const messageId =
      typeof message.properties.messageId === "string" && message.properties.messageId
        ? message.properties.messageId
        : `dead:${message.fields.deliveryTag}:${Date.now()}`;
    try {
      await publisher.publish(DEAD_LETTER_EXCHANGE, queue, message.content, {
        messageId,
        persistent: true,
        contentType: message.properties.contentType,
        correlationId: message.properties.correlationId,
        timestamp: message.properties.timestamp,
        type: message.properties.type,
        appId: message.properties.appId,
        headers: {
          ...(message.properties.headers ?? {}),
          [REASON_HEADER]: reason.slice(0, 1000),
          [ORIGINAL_QUEUE_HEADER]: queue,
          [DEAD_LETTERED_AT_HEADER]: Date.now(),
          "x-warren-redelivered": message.fields.redelivered,
        },
      });
      try {
        await ledger.recordDeadLetter(messageId, orderId, reason, message.fields.redelivered);
      } catch {
        // The dead letter itself is safe in the DLQ; the log row is a convenience.
      }
      this.stats.deadLettered++;
      this.emit("dead-letter", { messageId, orderId, reason });
      this.ack(delivery, messageId);
    } catch (error) {
      log?.(`[payments] could not dead-letter a message (${reason}): ${(error as Error).message}; requeueing`);
      setTimeout(() => this.settle(delivery, (ch, m) => ch.nack(m, false, true)), 1000);
    }
  }

  private ack(delivery: Delivery, messageId?: string) {
    this.settle(delivery, (ch, m) => {
      ch.ack(m);
      this.stats.acked++;
      if (messageId) this.noteAck(messageId);
    });
  }

  private pendingAcks: Array<{ messageId: string; at: number }> = [];
  private ackTimer: NodeJS.Timeout | null = null;

  /** Ack times for the trace, written in one small transaction every 250 ms (not one fsync per flush). */
  private noteAck(messageId: string) {
    this.pendingAcks.push({ messageId, at: Date.now() });
    this.ackTimer ??= setTimeout(() => this.writeAcks(), 250);
  }

  private writeAcks() {
    this.ackTimer = null;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    // Ack times are for the trace only; losing a batch loses no payment.
    Promise.resolve()
      .then(() => this.options.ledger.recordAcks(acks))
      .catch(() => {});
  }

  /**
   * Stops taking new deliveries: cancels the consumer tag but keeps the
   * channel, so deliveries already in hand are still acked on it. The queue
   * grows until resume().
   */
  async pause(): Promise<void> {
    this.stats.paused = true;
    const channel = this.channel;
    const tag = this.consumerTag;
    this.consumerTag = null;
    this.stats.running = false;
    if (channel && tag) await channel.cancel(tag).catch(() => {});
    this.options.log?.(`[payments] paused consuming ${this.options.queue}`);
  }

  async resume(): Promise<void> {
    this.stats.paused = false;
    const channel = this.channel;
    if (channel && !this.stopping) await this.subscribe(channel);
  }

  /** Basic.qos applies to consumers started after it, so the consumer is re-started with the new prefetch. */
  async setPrefetch(prefetch: number): Promise<void> {
    this.stats.prefetch = prefetch;
    const channel = this.channel;
    if (!channel) return; // applied on the next open
    const tag = this.consumerTag;
    if (tag) {
      this.consumerTag = null;
      await channel.cancel(tag).catch(() => {});
    }
    await channel.prefetch(prefetch);
    if (!this.stats.paused && !this.stopping) await this.subscribe(channel);
  }

  private settle(delivery: Delivery, action: (channel: Channel, message: ConsumeMessage) => void) {
    this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
    // An ack on a dead channel is meaningless: the broker will redeliver, and the ledger dedupes.
    if (delivery.channel !== this.channel) return;
    try {
      action(delivery.channel, delivery.message);
    } catch {
      // Channel closed between the check and the call; same as above.
    }
    if (this.stopping && this.stats.inFlight === 0) this.emit("drained");
  }

  /** Stops taking work, lets in-flight deliveries settle, then closes the channel. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => {});
    if (this.stats.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.once("drained", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.channel = null;
    this.stats.running = false;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.writeAcks();
    // Closing the channel returns anything still unacked to the queue.
    if (channel) await channel.close().catch(() => {});
  }
}
