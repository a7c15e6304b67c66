import "server-only";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { acceptOrder } from "./accept";
import type { AcceptedOrder, OrderSource } from "./types";

export type { AcceptedOrder, OrderSource, PlacedOrder } from "./types";

/** What pages, routes and actions may do with orders. */
export const orders = {
  /** Both doors (the form's action and `POST /api/orders`): see acceptOrder. */
  accept(raw: unknown, source: OrderSource): Promise<AcceptedOrder> {
    const { outbox } = currentWarren();
    if (!outbox) throw new WarrenError("broker_unavailable", "This process does not take orders.");
    return acceptOrder(raw, source, outbox);
  },
};
