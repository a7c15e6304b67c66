import type { ChannelModel } from "amqplib";

export interface ProbedQueue {
  name: string;
  exists: boolean;
  ready: number | null;
  consumers: number | null;
}

/**
 * Passive `checkQueue` over AMQP, for when the management API is not there.
 * A check on a missing queue closes its channel, so each check gets its own.
 */
export async function probeQueue(model: ChannelModel, name: string): Promise<ProbedQueue> {
  let channel: Awaited<ReturnType<ChannelModel["createChannel"]>> | null = null;
  try {
    channel = await model.createChannel();
    channel.on("error", () => {});
    const ok = await channel.checkQueue(name);
    return { name, exists: true, ready: ok.messageCount, consumers: ok.consumerCount };
  } catch {
    return { name, exists: false, ready: null, consumers: null };
  } finally {
    await channel?.close().catch(() => {});
  }
}
