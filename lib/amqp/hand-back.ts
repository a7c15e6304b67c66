import type { Channel, ChannelModel } from "amqplib";

/** How long a hand-back waits for the returned messages to show in the queue's depth. */
export const HAND_BACK_WAIT_MS = 3000;

/**
 * Hands back everything a reader holds unacked on `channel` (basic.get, manual ack), so the
 * next reader and the depth shown on a page see all of it.
 *
 * RabbitMQ has no browse: a read takes messages and holds them. Measured on 3.10: a
 * `nackAll(true)` followed by a passive declare on the same channel answers long before the
 * queue has them back (5,000 held: ~800 back at the answer, the rest ~2 s later). Closing the
 * channel instead: on a classic queue close-ok arrives only once all are requeued; on a quorum
 * queue the requeue lands shortly after close-ok. So this closes the channel, then waits
 * (bounded by `HAND_BACK_WAIT_MS`) until the queue shows the ready messages it had besides the
 * held ones plus the `held` ones. Consumers taking messages meanwhile end the wait at its bound,
 * never in an error; a queue that is gone ends it at once.
 */
export async function handBack(
  model: ChannelModel | null,
  channel: Channel,
  queue: string,
  held: number,
): Promise<void> {
  const probe = held > 0 && model ? await model.createChannel().catch(() => null) : null;
  probe?.on("error", () => {});
  // Ready messages not held by us (held ones are unacked, not ready): the floor the depth returns to.
  const others = probe ? await readyIn(probe, queue) : null;
  await channel.close().catch(() => {
    // a channel that is already gone was requeued by the broker
  });
  if (!probe) return;
  try {
    if (others === null) return;
    const target = others + held;
    const until = Date.now() + HAND_BACK_WAIT_MS;
    while (Date.now() < until) {
      if ((await probe.checkQueue(queue)).messageCount >= target) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch {
    // the queue went away: nothing to wait for
  } finally {
    await probe.close().catch(() => {});
  }
}

/** Ready messages in `queue`, or null when it is gone (which closes the probe channel). */
function readyIn(probe: Channel, queue: string): Promise<number | null> {
  return probe.checkQueue(queue).then(
    (q) => q.messageCount,
    () => null,
  );
}
