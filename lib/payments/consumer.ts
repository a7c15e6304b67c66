import { EventEmitter } from "node:events";
import type { Channel, ConsumeMessage } from "amqplib";
import { ResilientChannel } from "../amqp/channel";
import { framesWritten } from "../amqp/frames-written";
import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { declareTopology, PAYMENT_EVENTS_EXCHANGE } from "../amqp/topology";
import type { AckTime } from "../store/store";
import { startBatchTrace } from "../tracing/spans";
import { tracingOn } from "../tracing/state";
import { type AckEntry, AckWindow } from "./ack-window";
import { batchToTake } from "./batch-plan";
import { deadLetter } from "./dead-letter";
import type { PaymentLedger } from "./ledger";
import { payBatch, StoreWatch } from "./pay-batch";
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
  /**
   * Start paused, for this reason, until told otherwise: a process whose pipeline state is
   * stored (lib/payments/pipeline-state.ts) takes no delivery before it has read that state.
   */
  startPaused?: string;
}

interface Delivery {
  channel: Channel;
  message: ConsumeMessage;
  receivedAt: number;
  /** Its place in its channel's ack window (tag order). */
  entry: AckEntry<Delivery>;
  /** Its ack verdict (set when it is paid or found paid): the message id and row its ack time is written under, and the order it carried. */
  ack?: Extract<Verdict, { kind: "ack" }>;
  /** Its verdict is applied (settle() ran for it): set once, never twice. */
  decided?: boolean;
}

/**
 * Batches being paid at once. More overlap keeps the broker busy while a batch commits; less lets
 * deliveries gather into bigger batches (one transaction, one fsync, one ack frame each). Two: one
 * committing while the next gathers (the backlog drain was fastest so on SQLite and PostgreSQL).
 */
const MAX_FLUSHES = 2;

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
  /**
   * The database away (unreachable, full, unwritable) as the last batches found it, since when
   * and why: deliveries wait for it, nothing is paid meanwhile. Null while it records.
   */
  storeUnavailable?: { since: number; error: string } | null;
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
  private flushing = 0;
  private readonly windows = new WeakMap<Channel, AckWindow<Delivery>>();
  private stopping = false;
  private readonly failures = new Map<string, number>();
  private subscribing: Promise<void> | null = null;
  private started = false;
  private state: ConsumerStatus = { state: "reconnecting", since: Date.now(), reason: "starting" };
  /** Why it is paused (the reason shown again when its channel comes back while paused). */
  private pauseReason: string;
  readonly stats: ConsumerStats;
  private readonly storeWatch: StoreWatch;

  constructor(private readonly options: PaymentConsumerOptions) {
    super();
    this.storeWatch = new StoreWatch(options.log);
    this.stats = {
      running: false,
      paid: 0,
      duplicates: 0,
      deadLettered: 0,
      inFlight: 0,
      delivered: 0,
      acked: 0,
      paused: options.startPaused !== undefined,
      prefetch: options.prefetch,
    };
    this.pauseReason = options.startPaused ?? "paused by an operator";
    if (options.startPaused !== undefined) {
      this.state = { state: "paused", since: Date.now(), reason: options.startPaused };
    }
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
    this.rc.on("open", (channel: Channel) => {
      // A resume() that arrived while this channel was being set up (after setup saw "paused",
      // before the channel became current) found no channel to subscribe on: subscribe now.
      if (!this.consumerTag && !this.stats.paused && !this.stopping && this.rc.current() === channel) {
        void this.subscribe(channel).catch((error: Error) =>
          this.options.log?.(`[payments] could not subscribe to ${this.options.queue}: ${error.message}`),
        );
      }
      this.markConsuming();
      // Paused (by an operator, or standing by for a seat): back from "reconnecting" to why it is paused.
      if (!this.consumerTag && this.stats.paused && !this.stopping) this.setState("paused", this.pauseReason);
    });
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
    return { ...this.state, storeUnavailable: this.storeWatch.unavailable };
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
      const delivery = { channel, message, receivedAt: Date.now() } as Delivery;
      delivery.entry = this.windowOf(channel).add(delivery);
      this.enqueue(delivery);
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

  private windowOf(channel: Channel): AckWindow<Delivery> {
    let window = this.windows.get(channel);
    if (!window) {
      window = new AckWindow<Delivery>({
        ack: (delivery, allUpTo) => delivery.channel.ack(delivery.message, allUpTo),
        nack: (delivery, allUpTo, requeue) => delivery.channel.nack(delivery.message, allUpTo, requeue),
      });
      this.windows.set(channel, window);
    }
    return window;
  }

  private enqueue(delivery: Delivery) {
    this.buffer.push(delivery);
    this.stats.inFlight++;
    this.stats.delivered++;
    this.scheduleFlush();
  }

  /** How many buffered deliveries to pay now (0: wait for more; see batch-plan.ts). */
  private batchSize(): number {
    const channel = this.rc.current();
    return batchToTake({
      buffered: this.buffer.length,
      flushing: this.flushing,
      unacked: (channel && this.windows.get(channel)?.unsettled) ?? 0,
      prefetch: this.stats.prefetch,
      maxFlushes: MAX_FLUSHES,
    });
  }

  /** Pays the buffer as one batch when lib/payments/batch-plan.ts says so. */
  private scheduleFlush() {
    if (this.flushScheduled || this.batchSize() === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const size = this.batchSize();
      if (size === 0) return;
      this.flushing++;
      let freed = false;
      // The slot is given back once the batch is paid and acked: dead-letter copies waiting for
      // their confirm (up to seconds while the publish side is blocked) must not hold it.
      const batch = this.buffer.splice(0, size);
      const free = () => {
        if (freed) return;
        freed = true;
        this.flushing--;
        this.scheduleFlush();
      };
      this.scheduleFlush();
      void this.flush(batch, free)
        .catch((error: Error) => {
          // Every delivery gets a verdict whatever happened: one left open in its ack window would
          // hold up every later ack on the channel, and the consumer would stop once prefetch is used.
          this.options.log?.(
            `[payments] a batch failed unexpectedly (${error.message}); requeueing what was undecided`,
          );
          for (const delivery of batch)
            if (!delivery.decided) this.settle(delivery, { kind: "requeue", delayMs: 1000 });
        })
        .finally(free);
    });
  }

  private async flush(batch: Delivery[], free: () => void): Promise<void> {
    if (batch.length === 0) return;
    const { ledger, log, publisher, queue } = this.options;
    // One span per delivery, continuing the trace in its headers (lib/tracing); null when tracing is off.
    const spans = tracingOn()
      ? startBatchTrace(
          queue,
          batch.map(({ message, receivedAt }) => ({
            headers: message.properties.headers,
            messageId: message.properties.messageId,
            redelivered: message.fields.redelivered,
            receivedAt,
          })),
        )
      : null;
    // Every delivery of the batch gets a verdict whatever happens: one left open in its ack window
    // would hold up every later ack on the channel, and the consumer would stop once prefetch is used up.
    const { verdicts, paid, duplicates, absorbed } = await payBatch(
      batch,
      ledger,
      this.failures,
      log,
      spans,
      this.storeWatch,
    ).catch((error: Error) => {
      log?.(`[payments] paying a batch of ${batch.length} failed unexpectedly (${error.message}); requeueing it`);
      return { verdicts: [], paid: [], duplicates: [], absorbed: [] } as Awaited<ReturnType<typeof payBatch>>;
    });
    // Settle what is decided now and send its acks (one frame per run) before any dead-letter copy
    // is waited for: a slow copy must not hold up the acks of the batch.
    const deadLetters: Array<{ delivery: Delivery; verdict: Extract<Verdict, { kind: "dead-letter" }> }> = [];
    batch.forEach((delivery, index) => {
      const verdict = verdicts[index] ?? { kind: "requeue", delayMs: 1000 };
      spans?.settle(index, verdict.kind);
      if (verdict.kind === "dead-letter") {
        this.windowOf(delivery.channel).slow(delivery.entry);
        deadLetters.push({ delivery, verdict });
      } else this.settle(delivery, verdict);
    });
    // The event for other processes goes first, then the acks, then this process's own
    // listeners (the hop observer, the live feed), which cost more than the rest of the batch's
    // settling: the broker sends the next deliveries only once the ack is in, so it must not wait
    // for them. A listener that throws must not leave the batch unsettled.
    if (paid.length > 0) {
      this.stats.paid += paid.length;
      try {
        // One event message per committed batch (a JSON array), not one per payment: the batch
        // was committed together, and every process on the fanout parses one message, not ten.
        // The routing key names the order queue: one fanout serves every Warren on the broker,
        // and each relay keeps only its own pipeline's payments.
        publisher.publishEvent(PAYMENT_EVENTS_EXCHANGE, Buffer.from(JSON.stringify(paid)), queue);
      } catch (error) {
        log?.(`[payments] announcing a paid batch failed: ${(error as Error).message}`);
      }
    }
    const sent = this.sendAcks(batch);
    // The ack times are noted now, not after the wait: stop() may run meanwhile, and it writes
    // the noted ones one last time.
    this.noteAcks(sent);
    // The listeners run once amqplib has had its turn to write the ack (see framesWritten).
    if (sent.length > 0) await framesWritten();
    try {
      for (const entry of absorbed) this.emit("absorbed", entry);

      for (const duplicate of duplicates) {
        this.stats.duplicates++;
        this.emit("duplicate", duplicate);
      }
      if (paid.length > 0) {
        // With the delivery's receive time, for the hop observer (an order whose ack never comes keeps it).
        const receivedAt = new Map<string, number>();
        batch.forEach((delivery, i) => {
          const verdict = verdicts[i];
          if (verdict?.kind === "ack" && verdict.orderId) receivedAt.set(verdict.orderId, delivery.receivedAt);
        });
        for (const payment of paid) this.emit("payment", payment, receivedAt.get(payment.orderId) ?? null);
      }
    } catch (error) {
      log?.(`[payments] a listener of a paid batch failed: ${(error as Error).message}`);
    }
    // After the payments: an ack listener (the hop observer) hears of an order's payment first.
    this.emitAcked(sent);
    free();
    if (deadLetters.length === 0) return;
    await Promise.all(
      deadLetters.map(async ({ delivery, verdict }) => {
        const result = await deadLetter(delivery.message, verdict.reason, verdict.orderId, {
          queue,
          publisher,
          ledger,
          log,
        }).catch((error: Error) => {
          log?.(`[payments] dead-lettering failed unexpectedly (${error.message}); requeueing`);
          return { verdict: { kind: "requeue", delayMs: 1000 } as Verdict, messageId: "" };
        });
        this.settle(delivery, result.verdict);
        this.release([delivery]);
        if (result.verdict.kind === "ack") {
          this.stats.deadLettered++;
          try {
            this.emit("dead-letter", { messageId: result.messageId, orderId: verdict.orderId, reason: verdict.reason });
          } catch (error) {
            log?.(`[payments] a dead-letter listener failed: ${(error as Error).message}`);
          }
        }
      }),
    );
  }

  /**
   * The only place a delivery's verdict is applied: acks wait in its channel's window for
   * release(), nacks go at once (a requeue after its delay).
   */
  private settle(delivery: Delivery, verdict: Verdict) {
    if (delivery.decided) return;
    delivery.decided = true;
    const live = delivery.channel === this.rc.current();
    const window = this.windowOf(delivery.channel);
    if (verdict.kind === "requeue") {
      window.slow(delivery.entry);
      setTimeout(() => {
        if (delivery.channel === this.rc.current()) {
          this.nack(window, delivery, true);
          this.release([delivery]);
        }
        this.settled();
      }, verdict.delayMs);
      return;
    }
    if (verdict.kind === "ack") {
      delivery.ack = verdict;
      if (live) window.ready(delivery.entry);
    } else if (live) {
      // drop: the broker dead-letters it where a policy says so. A raw dead-letter verdict is turned
      // into ack/requeue by flush() and never reaches here; if it did, it goes back to the queue.
      this.nack(window, delivery, verdict.kind === "dead-letter");
    }
    this.settled();
  }

  private nack(window: AckWindow<Delivery>, delivery: Delivery, requeue: boolean) {
    try {
      window.nack(delivery.entry, requeue);
    } catch {
      // Channel closed between the check and the call: the broker redelivers, the ledger dedupes.
    }
  }

  /** Sends the acks the deliveries' windows can send now, and tells the ack listeners. */
  private release(deliveries: Delivery[]) {
    const sent = this.sendAcks(deliveries);
    this.noteAcks(sent);
    this.emitAcked(sent);
  }

  /** Sends the acks the deliveries' windows can send now. An ack on a dead channel is meaningless. */
  private sendAcks(deliveries: Delivery[]): Array<{ acked: Delivery[]; at: number }> {
    const sent: Array<{ acked: Delivery[]; at: number }> = [];
    const channels = new Set(deliveries.map((d) => d.channel));
    for (const channel of channels) {
      if (channel !== this.rc.current()) continue;
      let acked: Delivery[];
      try {
        acked = this.windowOf(channel).release();
      } catch {
        continue; // closed meanwhile: same as above
      }
      this.stats.acked += acked.length;
      if (acked.length > 0) sent.push({ acked, at: Date.now() });
    }
    return sent;
  }

  /** Ack times for the trace (written every 250 ms, and by stop()). */
  private noteAcks(sent: Array<{ acked: Delivery[]; at: number }>) {
    for (const { acked, at } of sent)
      for (const { ack } of acked)
        if (ack?.messageId) this.noteAck({ messageId: ack.messageId, deliveryId: ack.deliveryId, at });
  }

  /** The "acked" listeners. */
  private emitAcked(sent: Array<{ acked: Delivery[]; at: number }>) {
    for (const { acked, at } of sent) {
      if (this.listenerCount("acked") > 0) {
        const orders = acked.flatMap((d) =>
          d.ack?.orderId ? [{ orderId: d.ack.orderId, deliveredAt: d.receivedAt, ackedAt: at }] : [],
        );
        try {
          this.emit("acked", orders);
        } catch (error) {
          this.options.log?.(`[payments] an ack listener failed: ${(error as Error).message}`);
        }
      }
    }
  }

  /** One delivery has its verdict applied (or its channel is gone). */
  private settled() {
    this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
    if (this.stopping && this.stats.inFlight === 0) this.emit("drained");
  }

  private pendingAcks: AckTime[] = [];
  private ackTimer: NodeJS.Timeout | null = null;

  /** Ack times for the trace, written in one small transaction every 250 ms (not one fsync per flush). */
  private noteAck(ack: AckTime) {
    this.pendingAcks.push(ack);
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
  async pause(reason = "paused by an operator"): Promise<void> {
    const wasPaused = this.stats.paused;
    this.stats.paused = true;
    this.pauseReason = reason;
    const channel = this.rc.current();
    const tag = this.consumerTag;
    this.consumerTag = null;
    this.stats.running = false;
    this.setState("paused", reason);
    if (channel && tag) await channel.cancel(tag).catch(() => {});
    // Said once, when it stops taking deliveries; a new reason for a pause (a standby paused by an operator) is the caller's to say.
    if (!wasPaused || tag) this.options.log?.(`[payments] paused consuming ${this.options.queue}`);
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
    // A batch settled in full may still be telling its listeners (they run a turn after its ack).
    await framesWritten();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.writeAcks();
    // Closing the channel returns anything still unacked to the queue.
    await this.rc.close();
  }
}
