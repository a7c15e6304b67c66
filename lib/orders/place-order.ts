import type { ConfirmPublisher } from "../amqp/publisher";
import { ORDERS_EXCHANGE } from "../amqp/topology";
import { WarrenError } from "../errors";
import { orderPublishOptions } from "./message";
import { newOrderId } from "./order-id";
import type { OrderLog, OrderSource } from "./order-log";
import type { OrderOutbox } from "./outbox";
import { describeIssues, fieldErrorsOf, type OrderInput, orderInputSchema } from "./schema";

export interface PlacedOrder {
  orderId: string;
  item: string;
  quantity: number;
  placedAt: number;
}

/**
 * Publishing an order straight to the broker (no outbox), for producers and
 * tests that want one confirmed message; both doors use acceptOrder below.
 */
export interface PlaceOrderDeps {
  publisher: ConfirmPublisher;
  queue: string;
  /** Where placed/confirmed times are kept for the trace; optional in tests. */
  orderLog?: OrderLog;
  source?: OrderSource;
  now?: () => number;
}

export async function publishOrder(
  input: OrderInput,
  { publisher, queue, orderLog, source = "api", now = Date.now }: PlaceOrderDeps,
): Promise<PlacedOrder> {
  const order: PlacedOrder = { orderId: newOrderId(), item: input.item, quantity: input.quantity, placedAt: now() };
  try {
    await publisher.publish(ORDERS_EXCHANGE, queue, Buffer.from(JSON.stringify(order)), orderPublishOptions(order));
  } catch (error) {
    orderLog?.record(order, source, { error: (error as Error).message });
    throw error;
  }
  orderLog?.record(order, source, { confirmedAt: now() });
  return order;
}

export interface AcceptedOrder extends PlacedOrder {
  /** "placed": the broker confirmed it; "accepted": it is safe in the outbox and waits for the broker. */
  status: "placed" | "accepted";
  waiting?: "broker";
}

/**
 * The JSON door: validate, make the order durable in the outbox,
 * and give the broker up to a second to confirm it. Invalid input throws a
 * 400 before anything is stored or published.
 */
export async function acceptOrder(
  raw: unknown,
  { outbox, source = "api" }: { outbox: OrderOutbox; source?: OrderSource },
): Promise<AcceptedOrder> {
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WarrenError("bad_request", describeIssues(parsed.error), fieldErrorsOf(parsed.error));
  }
  const { order, status } = await outbox.accept(parsed.data, source);
  return status === "placed" ? { ...order, status } : { ...order, status, waiting: "broker" };
}
