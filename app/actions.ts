"use server";

import { shortOrderId } from "@/components/format";
import { isWarrenError } from "@/lib/errors";
import { type ActionState, errorState } from "@/lib/http/action";
import { orders, readIdempotencyKey } from "@/lib/orders";

export interface OrderFormState extends ActionState {
  /** Set when the order is safe in the outbox but the broker has not confirmed it yet. */
  waiting?: "broker";
  orderId?: string;
  /** What the user typed, so a failed submit does not clear the form. */
  values?: { item: string; quantity: string };
}

/** What the form sends when JavaScript runs: its two fields, as typed. */
export interface OrderFields {
  item: string;
  quantity: string;
  /** One per submission (made when the form renders, renewed after each answer): a double click or a resubmit is one order. */
  idempotencyKey?: string;
}

/**
 * The order form's action: validate, store in the outbox, report "placed" or
 * "accepted, waiting for broker". It takes the form's FormData (a post
 * without JavaScript, or any client) or, from the page's own submit handler,
 * the two fields as a plain object: React then sends a small text body
 * instead of multipart, which Next parses for a fraction of the CPU.
 */
export async function placeOrderAction(
  _previous: OrderFormState,
  input: FormData | OrderFields,
): Promise<OrderFormState> {
  const { item, quantity, idempotencyKey } = fieldsOf(input);
  const values = {
    item: typeof item === "string" ? item : "",
    quantity: typeof quantity === "string" ? quantity : "",
  };
  try {
    // The same door as POST /api/orders; it reads the fields with the form's schema.
    const key = readIdempotencyKey(typeof idempotencyKey === "string" ? idempotencyKey : null);
    const order = await orders.accept(values, "form", { idempotencyKey: key });
    if (order.status === "accepted") {
      return {
        status: "ok",
        waiting: "broker",
        message: `Order ${shortOrderId(order.orderId)} accepted, waiting for broker: ${order.quantity} × ${order.item} is saved and will be sent as soon as RabbitMQ is back.`,
        orderId: order.orderId,
      };
    }
    return {
      status: "ok",
      message: `Order ${shortOrderId(order.orderId)} placed: ${order.quantity} × ${order.item}. Waiting for its payment…`,
      orderId: order.orderId,
    };
  } catch (error) {
    if (isWarrenError(error) && error.code === "bad_request") {
      return {
        status: "error",
        message: "Please fix the highlighted fields.",
        fieldErrors: error.details as Record<string, string[]>,
        code: 400,
        values,
      };
    }
    return { ...errorState(error, "Placing the order"), values };
  }
}

/** Whatever arrived (a client can send anything): only string fields count. */
function fieldsOf(input: unknown): { item: unknown; quantity: unknown; idempotencyKey: unknown } {
  if (input instanceof FormData) {
    return { item: input.get("item"), quantity: input.get("quantity"), idempotencyKey: input.get("idempotencyKey") };
  }
  if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    const fields = input as Record<string, unknown>;
    return {
      item: Object.hasOwn(fields, "item") ? fields.item : null,
      quantity: Object.hasOwn(fields, "quantity") ? fields.quantity : null,
      idempotencyKey: Object.hasOwn(fields, "idempotencyKey") ? fields.idempotencyKey : null,
    };
  }
  return { item: null, quantity: null, idempotencyKey: null };
}
