import type { PublishOptions } from "../amqp/publisher";
import type { PlacedOrder } from "./types";

/**
 * The message properties of an order, in one place so that every publisher of
 * an order (the outbox relay, test producers) sends the very same message: the
 * consumer and the trace read messageId/correlationId, and dedupe relies on them.
 * The body is left to the caller because the outbox sends the JSON it stored.
 */
export function orderPublishOptions(order: PlacedOrder): PublishOptions {
  return {
    persistent: true,
    contentType: "application/json",
    messageId: order.orderId,
    correlationId: order.orderId,
    timestamp: Math.floor(order.placedAt / 1000),
    type: "order.placed",
    appId: "warren",
  };
}
