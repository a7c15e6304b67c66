import { randomUUID } from "node:crypto";
import type { ConfirmPublisher } from "../amqp/publisher";
import { ORDERS_EXCHANGE } from "../amqp/topology";
import { WarrenError } from "../errors";
import { describeIssues, fieldErrorsOf, type OrderInput, orderInputSchema } from "./schema";

export interface PlacedOrder {
  orderId: string;
  item: string;
  quantity: number;
  placedAt: number;
}

/**
 * The one function behind both doors (form and JSON API): validate, then
 * publish a persistent order and return only after the broker confirmed it.
 */
export async function placeOrder(
  raw: unknown,
  deps: { publisher: ConfirmPublisher; queue: string; now?: () => number },
): Promise<PlacedOrder> {
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WarrenError("bad_request", describeIssues(parsed.error), fieldErrorsOf(parsed.error));
  }
  return publishOrder(parsed.data, deps);
}

export async function publishOrder(
  input: OrderInput,
  { publisher, queue, now = Date.now }: { publisher: ConfirmPublisher; queue: string; now?: () => number },
): Promise<PlacedOrder> {
  const order: PlacedOrder = { orderId: randomUUID(), item: input.item, quantity: input.quantity, placedAt: now() };
  await publisher.publish(ORDERS_EXCHANGE, queue, Buffer.from(JSON.stringify(order)), {
    persistent: true,
    contentType: "application/json",
    messageId: order.orderId,
    correlationId: order.orderId,
    timestamp: Math.floor(order.placedAt / 1000),
    type: "order.placed",
    appId: "warren",
  });
  return order;
}
