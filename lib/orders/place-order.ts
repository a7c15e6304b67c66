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
 * The path both doors use: validate, make the order durable in the outbox,
 * and give the broker up to `waitMs` to confirm it. Invalid input throws a
 * 400 before anything is stored or published.
 */
export async function acceptOrder(
  raw: unknown,
  { outbox, source = "api", waitMs = 1000 }: { outbox: OrderOutbox; source?: OrderSource; waitMs?: number },
): Promise<AcceptedOrder> {
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WarrenError("bad_request", describeIssues(parsed.error), fieldErrorsOf(parsed.error));
  }
  const { order, status } = await outbox.accept(parsed.data, source, waitMs);
  return status === "placed" ? { ...order, status } : { ...order, status, waiting: "broker" };
}
