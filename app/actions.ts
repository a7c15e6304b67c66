"use server";

import { isWarrenError } from "@/lib/errors";
import { acceptOrder } from "@/lib/orders/place-order";
import { fieldErrorsOf, orderFormSchema } from "@/lib/orders/schema";
import { log, startOrderRelay } from "@/lib/runtime";

export interface OrderFormState {
  status: "idle" | "ok" | "error";
  /** Set when the order is safe in the outbox but the broker has not confirmed it yet. */
  waiting?: "broker";
  message: string;
  fieldErrors?: Record<string, string[]>;
  orderId?: string;
  /** What the user typed, so a failed submit does not clear the form. */
  values?: { item: string; quantity: string };
}

/** The order form's action: validate, store in the outbox, report "placed" or "accepted, waiting for broker". */
export async function placeOrderAction(_previous: OrderFormState, formData: FormData): Promise<OrderFormState> {
  const item = formData.get("item");
  const quantity = formData.get("quantity");
  const values = {
    item: typeof item === "string" ? item : "",
    quantity: typeof quantity === "string" ? quantity : "",
  };
  const parsed = orderFormSchema.safeParse(values);
  if (!parsed.success) {
    return {
      status: "error",
      message: "Please fix the highlighted fields.",
      fieldErrors: fieldErrorsOf(parsed.error),
      values,
    };
  }
  try {
    const order = await acceptOrder(parsed.data, { outbox: startOrderRelay(), source: "form" });
    if (order.status === "accepted") {
      return {
        status: "ok",
        waiting: "broker",
        message: `Order ${order.orderId.slice(0, 8)} accepted, waiting for broker: ${order.quantity} × ${order.item} is saved and will be sent as soon as RabbitMQ is back.`,
        orderId: order.orderId,
      };
    }
    return {
      status: "ok",
      message: `Order ${order.orderId.slice(0, 8)} placed: ${order.quantity} × ${order.item}. Waiting for its payment…`,
      orderId: order.orderId,
    };
  } catch (error) {
    if (isWarrenError(error)) return { status: "error", message: error.message, values };
    log(`[orders] unexpected error in the form action: ${(error as Error).stack ?? error}`);
    return { status: "error", message: "The order could not be accepted; nothing was published.", values };
  }
}
