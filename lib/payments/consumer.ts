import { EventEmitter } from "node:events";
import type { Channel, ConsumeMessage } from "amqplib";
import { ResilientChannel } from "../amqp/channel";
import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { declareTopology, PAYMENT_EVENTS_EXCHANGE } from "../amqp/topology";
import { startBatchTrace } from "../tracing/spans";
import { deadLetter } from "./dead-letter";
import type { PaymentLedger } from "./ledger";
import { payBatch } from "./pay-batch";
import type { Verdict } from "./verdict";

export { DEAD_LETTERED_AT_HEADER, ORIGINAL_QUEUE_HEADER, REASON_HEADER } from "./dead-letter";
export { MAX_HANDLER_ATTEMPTS } from "./pay-batch";

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
  /** Subscribed right now (a consumer tag on an open channel); false while reconnecting or paused. */
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

export type ConsumerState = "consuming" | "paused" | "reconnecting" | "stopped";

export interface ConsumerStatus {
  state: ConsumerState;
  /** When it entered this state. */
  since: number;
  /** Why it is not consuming (the last error, a cancel by the broker...), null while consuming. */
  reason: string | null;
}

/**
 * The payment consumer's lifecycle: one resilient channel (re-declared
 * topology, prefetch and subscription on every open), pause / resume /
 * prefetch, and settling each delivery with the verdict the handlers
 * returned. Paying a batch is `pay-batch.ts`, dead-lettering is
 * `dead-letter.ts`; neither touches the channel.
 */
export class PaymentConsumer extends EventEmitter {
  private readonly rc: ResilientChannel;
  private consumerTag: string | null = null;
  private buffer: Delivery[] = [];
  private flushScheduled = false;
  private stopping = false;
  private readonly failures = new Map<string, number>();
  private subscribing: Promise<void> | null = null;
  private started = false;
  private state: ConsumerStatus = { state: "reconnecting", since: Date.now(), reason: "starting" };
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
    this.rc = new ResilientChannel({
      link: options.consumeLink,
      name: "payments",
      log: options.log,
      setup: async (channel) => {
        await channel.prefetch(this.stats.prefetch);
        // The whole topology, not just the queue: after a cancel (queue deleted) the binding
        // from `orders` and the dead-letter path must come back too.
        await declareTopology(channel, options.queue);
        if (!this.stats.paused && !this.stopping) await this.consumeOn(channel);
      },
    });
    this.rc.on("open", () => this.markConsuming());
    this.rc.on("failed", (reason: string) => {
      this.consumerTag = null;
      this.stats.running = false;
      if (!this.stopping) this.setState("reconnecting", reason);
    });
    this.rc.on("lost", (reason: string) => {
      this.consumerTag = null;
      this.stats.running = false;
      if (!this.stopping) this.setState("reconnecting", reason);
    });
    options.consumeLink.on("down", (error: Error) => {
      if (!this.stopping && !this.stats.running) this.setState("reconnecting", `broker: ${error.message}`);
    });
  }

  /** The order queue this consumer pays from. */
  get queue(): string {
    return this.options.queue;
  }

  start(): this {
    if (this.started) return this;
    this.started = true;
    this.rc.start();
    return this;
  }

  /** The consumer's channel state machine (for health and tests). */
  get channelState(): ResilientChannel {
    return this.rc;
  }

  /** Consuming, paused, reconnecting or stopped; since when, and why. */
  status(): ConsumerStatus {
    return { ...this.state };
  }

  private setState(state: ConsumerState, reason: string | null) {
    if (this.state.state !== state || this.state.reason !== reason) {
      this.state = { state, since: this.state.state === state ? this.state.since : Date.now(), reason };
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
        // The broker cancelled us (queue deleted): one path for every cause, a fresh channel
        // whose setup declares the whole topology again and re-subscribes.
        log?.(`[payments] consumer cancelled by the broker; re-declaring the topology of ${queue}`);
        this.consumerTag = null;
        this.stats.running = false;
        this.setState("reconnecting", "consumer cancelled by the broker (queue deleted?)");
        this.rc.reopen("consumer cancelled by the broker");
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
    // During setup the channel is not current yet: "open" marks it consuming.
    if (this.rc.current() === channel) this.markConsuming();
  }

  private markConsuming() {
    if (!this.consumerTag) return;
    this.stats.running = true;
    this.setState("consuming", null);
    this.options.log?.(`[payments] consuming ${this.options.queue} (prefetch ${this.stats.prefetch})`);
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
    const { ledger, log, publisher, queue } = this.options;
    // One span per delivery, continuing the trace in its headers (lib/tracing); null when tracing is off.
    const spans = startBatchTrace(
      queue,
      batch.map(({ message, receivedAt }) => ({
        headers: message.properties.headers,
        messageId: message.properties.messageId,
        redelivered: message.fields.redelivered,
        receivedAt,
      })),
    );
    const { verdicts, paid, duplicates, absorbed } = await payBatch(batch, ledger, this.failures, log, spans);
    for (const entry of absorbed) this.emit("absorbed", entry);

    for (const duplicate of duplicates) {
      this.stats.duplicates++;
      this.emit("duplicate", duplicate);
    }
    if (paid.length > 0) {
      this.stats.paid += paid.length;
      // One event message per committed batch (a JSON array), not one per payment: the batch
      // was committed together, and every process on the fanout parses one message, not ten.
      // The routing key names the order queue: one fanout serves every Warren on the broker,
      // and each relay keeps only its own pipeline's payments.
      publisher.publishEvent(PAYMENT_EVENTS_EXCHANGE, Buffer.from(JSON.stringify(paid)), queue);
      for (const payment of paid) this.emit("payment", payment);
    }

    await Promise.all(
      batch.map(async (delivery, index) => {
        const verdict = verdicts[index] ?? { kind: "requeue", delayMs: 1000 };
        spans?.settle(index, verdict.kind);
        if (verdict.kind !== "dead-letter") return this.settle(delivery, verdict);
        const result = await deadLetter(delivery.message, verdict.reason, verdict.orderId, {
          queue,
          publisher,
          ledger,
          log,
        });
        if (result.verdict.kind === "ack") {
          this.stats.deadLettered++;
          this.emit("dead-letter", { messageId: result.messageId, orderId: verdict.orderId, reason: verdict.reason });
        }
        this.settle(delivery, result.verdict);
      }),
    );
  }

  /** The only place a delivery is acked, requeued or rejected. */
  private settle(delivery: Delivery, verdict: Verdict) {
    if (verdict.kind === "requeue") {
      setTimeout(() => this.apply(delivery, (ch, m) => ch.nack(m, false, true)), verdict.delayMs);
    } else if (verdict.kind === "drop") {
      this.apply(delivery, (ch, m) => ch.nack(m, false, false));
    } else if (verdict.kind === "ack") {
      this.apply(delivery, (ch, m) => {
        ch.ack(m);
        this.stats.acked++;
        if (verdict.messageId) this.noteAck(verdict.messageId);
      });
    } else {
      // A dead-letter verdict is turned into ack/requeue by flush(); never settle it raw.
      this.apply(delivery, (ch, m) => ch.nack(m, false, true));
    }
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
    const channel = this.rc.current();
    const tag = this.consumerTag;
    this.consumerTag = null;
    this.stats.running = false;
    this.setState("paused", "paused by an operator");
    if (channel && tag) await channel.cancel(tag).catch(() => {});
    this.options.log?.(`[payments] paused consuming ${this.options.queue}`);
  }

  async resume(): Promise<void> {
    this.stats.paused = false;
    const channel = this.rc.current();
    if (channel && !this.stopping) await this.subscribe(channel);
    else if (!this.stopping) this.setState("reconnecting", this.rc.lastError ?? "waiting for the broker");
  }

  /** Basic.qos applies to consumers started after it, so the consumer is re-started with the new prefetch. */
  async setPrefetch(prefetch: number): Promise<void> {
    this.stats.prefetch = prefetch;
    const channel = this.rc.current();
    if (!channel) return; // applied on the next open
    const tag = this.consumerTag;
    if (tag) {
      this.consumerTag = null;
      await channel.cancel(tag).catch(() => {});
    }
    await channel.prefetch(prefetch);
    if (!this.stats.paused && !this.stopping) await this.subscribe(channel);
  }

  private apply(delivery: Delivery, action: (channel: Channel, message: ConsumeMessage) => void) {
    this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
    // An ack on a dead channel is meaningless: the broker will redeliver, and the ledger dedupes.
    if (delivery.channel === this.rc.current()) {
      try {
        action(delivery.channel, delivery.message);
      } catch {
        // Channel closed between the check and the call; same as above.
      }
    }
    if (this.stopping && this.stats.inFlight === 0) this.emit("drained");
  }

  /** Stops taking work, lets in-flight deliveries settle, then closes the channel. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    const channel = this.rc.current();
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
    this.stats.running = false;
    this.setState("stopped", "stopped");
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.writeAcks();
    // Closing the channel returns anything still unacked to the queue.
    await this.rc.close();
  }
}
