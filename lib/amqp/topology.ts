import type { Channel } from "amqplib";

/**
 * All of Warren's broker topology in one place, re-declared after every
 * reconnect. The order queue gets NO queue arguments: producers written the
 * tutorial's way (`assertQueue("order_queue", { durable: true })`) must keep
 * working, and a declare with different arguments fails with 406. Dead letters
 * are routed by the consumer itself (with the reason in a header) and, where
 * the management API is reachable, by a policy for anyone else's rejects.
 */
export const ORDERS_EXCHANGE = "orders";
export const DEAD_LETTER_EXCHANGE = "orders.dlx";
export const PAYMENT_EVENTS_EXCHANGE = "payments.events";
/** Operator commands (pause, resume, prefetch) fanned out to every consumer process. */
export const CONTROL_EXCHANGE = "warren.control";

export const DEAD_LETTER_SUFFIX = ".dlq";
export const deadLetterQueueOf = (queue: string) => `${queue}${DEAD_LETTER_SUFFIX}`;

export interface Topology {
  queue: string;
  deadLetterQueue: string;
}

export function topologyFor(queue: string): Topology {
  return { queue, deadLetterQueue: deadLetterQueueOf(queue) };
}

export async function declareTopology(channel: Channel, queue: string): Promise<Topology> {
  const topology = topologyFor(queue);
  await channel.assertExchange(ORDERS_EXCHANGE, "direct", { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, "direct", { durable: true });
  await channel.assertExchange(PAYMENT_EVENTS_EXCHANGE, "fanout", { durable: true });
  await channel.assertExchange(CONTROL_EXCHANGE, "fanout", { durable: true });
  await channel.assertQueue(topology.queue, { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
  await channel.bindQueue(topology.queue, ORDERS_EXCHANGE, topology.queue);
  await channel.bindQueue(topology.deadLetterQueue, DEAD_LETTER_EXCHANGE, topology.queue);
  return topology;
}
