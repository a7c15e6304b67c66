import { randomUUID } from "node:crypto";
import type { ConfirmPublisher } from "../amqp/publisher";
import { ORDERS_EXCHANGE } from "../amqp/topology";
import { WarrenError } from "../errors";
import type { OrderLog, OrderSource } from "./order-log";
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
export interface PlaceOrderDeps {
  publisher: ConfirmPublisher;
  queue: string;
  /** Where placed/confirmed times are kept for the trace; optional in tests. */
  orderLog?: OrderLog;
  source?: OrderSource;
  now?: () => number;
}

export async function placeOrder(raw: unknown, deps: PlaceOrderDeps): Promise<PlacedOrder> {
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WarrenError("bad_request", describeIssues(parsed.error), fieldErrorsOf(parsed.error));
  }
  return publishOrder(parsed.data, deps);
}

export async function publishOrder(
  input: OrderInput,
  { publisher, queue, orderLog, source = "api", now = Date.now }: PlaceOrderDeps,
): Promise<PlacedOrder> {
  const order: PlacedOrder = { orderId: randomUUID(), item: input.item, quantity: input.quantity, placedAt: now() };
  try {
    await publisher.publish(ORDERS_EXCHANGE, queue, Buffer.from(JSON.stringify(order)), {
      persistent: true,
      contentType: "application/json",
      messageId: order.orderId,
      correlationId: order.orderId,
      timestamp: Math.floor(order.placedAt / 1000),
      type: "order.placed",
      appId: "warren",
    });
  } catch (error) {
    orderLog?.record(order, source, { error: (error as Error).message });
    throw error;
  }
  orderLog?.record(order, source, { confirmedAt: now() });
  return order;
}
