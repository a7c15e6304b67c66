import { WarrenError } from "../errors";
import type { OrderOutbox } from "./outbox";
import { describeIssues, fieldErrorsOf, orderFormSchema, orderInputSchema } from "./schema";
import type { AcceptedOrder, OrderSource } from "./types";

/**
 * The one door into order intake, for the form's action and `POST /api/orders`
 * alike: validate, make the order durable in the outbox, and give the broker
 * up to a second to confirm it. The form sends its fields as typed (strings),
 * a JSON client sends JSON types: each is read by its own schema, and either
 * way invalid input throws a 400 (with the field errors) before anything is
 * stored or published.
 */
export async function acceptOrder(raw: unknown, source: OrderSource, outbox: OrderOutbox): Promise<AcceptedOrder> {
  const parsed = (source === "form" ? orderFormSchema : orderInputSchema).safeParse(raw);
  if (!parsed.success) {
    throw new WarrenError("bad_request", describeIssues(parsed.error), fieldErrorsOf(parsed.error));
  }
  const { order, status } = await outbox.accept(parsed.data, source);
  return status === "placed" ? { ...order, status } : { ...order, status, waiting: "broker" };
}
