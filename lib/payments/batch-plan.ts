/** What the consumer knows when it may start paying a batch. */
export interface BatchPlanInput {
  /** Deliveries received and not yet in a batch. */
  buffered: number;
  /** Batches being paid (until their acks are sent). */
  flushing: number;
  /**
   * Deliveries the broker counts against the window: received on the channel and not yet acked or
   * nacked (the buffered ones, those being paid, and those waiting on something slow). Right after
   * a re-subscribe it overcounts (the old consumer tag's deliveries), which only makes batches go sooner.
   */
  unacked: number;
  /** The channel's prefetch window (0: unlimited). */
  prefetch: number;
  /** The most batches paid at once. */
  maxFlushes: number;
}

/**
 * How many buffered deliveries the next batch takes now: 0 means wait.
 *
 * - With no batch being paid, whatever is there goes at once (a lone order is not kept waiting).
 * - While another batch is being paid, it waits for a full share of the prefetch window
 *   (prefetch / maxFlushes), or until the window is used up (the broker sends nothing more before
 *   the next ack); the batch in flight ends soon and its end asks again.
 * - A batch takes at most that share, so the window stays split evenly between the batches. A
 *   window just made smaller (more unacked than it holds) is split as it is, not in shares of the new one.
 *
 * Before this rule a slot freed by an ack took the one or two deliveries that had just arrived,
 * and the window split into a crumb and the rest for good: in the backlog drain at prefetch 100 a
 * quarter of the batches held under ten deliveries, each paying a whole transaction, WAL sync and
 * ack frame (`npm run bench -- scale`).
 */
export function batchToTake({ buffered, flushing, unacked, prefetch, maxFlushes }: BatchPlanInput): number {
  if (buffered === 0 || flushing >= maxFlushes) return 0;
  if (prefetch <= 0) return buffered;
  const share = Math.ceil(Math.max(prefetch, unacked) / maxFlushes);
  if (flushing === 0 || buffered >= share || unacked >= prefetch) return Math.min(buffered, share);
  return 0;
}
