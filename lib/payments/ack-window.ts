/** What the window needs of an amqplib channel (a fake in the unit tests). */
export interface AckChannel<M> {
  ack(message: M, allUpTo?: boolean): void;
  nack(message: M, allUpTo?: boolean, requeue?: boolean): void;
}

type State =
  /** Being paid (in the buffer or in a batch's transaction): settles soon. */
  | "open"
  /** Paid and durable: may be acked, alone or in a run. */
  | "ready"
  /** Waiting on something slow (a delayed requeue, a dead-letter copy's confirm): acks behind it go one by one. */
  | "slow"
  /** Its frame is sent (acked or nacked on its own). */
  | "sent";

export interface AckEntry<M> {
  message: M;
  state: State;
}

/**
 * The deliveries of one channel in delivery-tag order, acked with ONE `multiple` ack per run of
 * settled deliveries instead of one frame each. amqplib writes every frame to the socket on its
 * own (one write syscall per ack): acking one by one cost a worker ~15 µs per order, about a fifth
 * of its CPU in the backlog drain (`npm run bench -- scale`).
 *
 * A `multiple` ack up to tag N settles every unacked tag ≤ N on the channel, so it is sent only
 * once every earlier delivery is settled: ready (acked by it) or sent (nacked or acked on its own).
 * A delivery still being paid holds the acks behind it until its batch settles, which is the
 * same commit a moment later. A slow one (a requeue that waits a second, a dead-letter copy
 * waiting for its confirm) does not: the ready deliveries behind it are acked one by one.
 */
export class AckWindow<M> {
  private entries: Array<AckEntry<M>> = [];
  private head = 0;
  /** Frames sent (a run's ack counts once): the saving is entries settled / frames. */
  frames = 0;
  /**
   * Deliveries added and not yet settled by a frame: what the broker counts against the prefetch
   * window (of one consumer tag: after a re-subscribe the new tag has a fresh window, and this
   * still counts the old tag's deliveries until they settle).
   */
  unsettled = 0;

  constructor(private readonly channel: AckChannel<M>) {}

  /** A delivery just received (in tag order): call before it is paid. */
  add(message: M): AckEntry<M> {
    const entry: AckEntry<M> = { message, state: "open" };
    this.entries.push(entry);
    this.unsettled++;
    return entry;
  }

  /** Paid and durable: acked by the next release(), alone or with its neighbours. */
  ready(entry: AckEntry<M>): void {
    if (entry.state === "open" || entry.state === "slow") entry.state = "ready";
  }

  /** Waiting on something slow: it must not hold up the acks of later deliveries. */
  slow(entry: AckEntry<M>): void {
    if (entry.state === "open") entry.state = "slow";
  }

  /** Nack it now (requeue or not), on its own. */
  nack(entry: AckEntry<M>, requeue: boolean): void {
    if (entry.state === "sent") return;
    entry.state = "sent";
    this.frames++;
    this.unsettled--;
    this.channel.nack(entry.message, false, requeue);
  }

  /**
   * Sends what can be sent: one `multiple` ack for the longest settled run from the oldest
   * delivery, then, behind a slow delivery, each ready one on its own. Returns the deliveries
   * acked.
   */
  release(): M[] {
    const acked: M[] = [];
    let last: AckEntry<M> | null = null;
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head] as AckEntry<M>;
      if (entry.state === "open" || entry.state === "slow") break;
      if (entry.state === "ready") {
        last = entry;
        acked.push(entry.message);
        entry.state = "sent";
        this.unsettled--;
      }
      this.head++;
    }
    if (last) {
      this.frames++;
      this.channel.ack(last.message, true);
      // Anything popped is settled: the ready ones by this ack, the others by their own frame.
    }
    if (this.head < this.entries.length && this.entries[this.head]?.state === "slow") {
      // Behind a slow delivery: ack each ready one on its own, and keep only what is not settled
      // (at most the prefetch window), so a head that stays slow for seconds neither holds every
      // later delivery in memory nor makes each release scan them all again.
      const kept: Array<AckEntry<M>> = [this.entries[this.head] as AckEntry<M>];
      for (let i = this.head + 1; i < this.entries.length; i++) {
        const entry = this.entries[i] as AckEntry<M>;
        if (entry.state === "ready") {
          entry.state = "sent";
          this.frames++;
          this.unsettled--;
          acked.push(entry.message);
          this.channel.ack(entry.message, false);
        } else if (entry.state !== "sent") kept.push(entry);
      }
      this.entries = kept;
      this.head = 0;
      return acked;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return acked;
  }

  /** Deliveries the window holds (settled ones are dropped as the head moves on). */
  get size(): number {
    return this.entries.length - this.head;
  }
}
