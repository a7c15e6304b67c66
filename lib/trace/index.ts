import "server-only";
import { currentWarren } from "../process/current";
import type { OrderSummary, OrderTrace, SearchQuery } from "./trace";

export { type OrderSummary, type OrderTrace, TRACE_STATUSES, type TraceStatus } from "./trace";

/** What the trace page reads: one order's hops, or the orders matching a search. */
export const trace = {
  order(orderId: string): Promise<OrderTrace | null> {
    return currentWarren().store.trace.order(orderId);
  },
  search(query: SearchQuery): Promise<OrderSummary[]> {
    return currentWarren().store.trace.search(query);
  },
};
