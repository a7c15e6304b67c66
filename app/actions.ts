"use server";

import { isWarrenError } from "@/lib/errors";
import { publishOrder } from "@/lib/orders/place-order";
import { fieldErrorsOf, orderFormSchema } from "@/lib/orders/schema";
import { getRuntime, log } from "@/lib/runtime";

export interface OrderFormState {
  status: "idle" | "ok" | "error";
  message: string;
  fieldErrors?: Record<string, string[]>;
  orderId?: string;
  /** What the user typed, so a failed submit does not clear the form. */
  values?: { item: string; quantity: string };
}

/** The order form's action: validate, publish, report only after the broker's confirm. */
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
    const { publisher, env, orderLog } = getRuntime();
    const order = await publishOrder(parsed.data, { publisher, queue: env.ORDER_QUEUE, orderLog, source: "form" });
    return {
      status: "ok",
      message: `Order ${order.orderId.slice(0, 8)} placed: ${order.quantity} × ${order.item}. Waiting for its payment…`,
      orderId: order.orderId,
    };
  } catch (error) {
    if (isWarrenError(error)) return { status: "error", message: error.message, values };
    log(`[orders] unexpected error in the form action: ${(error as Error).stack ?? error}`);
    return { status: "error", message: "The order could not be placed; nothing was published.", values };
  }
}
