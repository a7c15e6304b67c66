import "server-only";
import { currentWarren } from "../process/current";
import { type OrderSummary, type OrderTrace, type SearchQuery, searchOrders, traceOrder } from "./trace";

export { type OrderSummary, type OrderTrace, TRACE_STATUSES, type TraceStatus } from "./trace";

/** What the trace page reads: one order's hops, or the orders matching a search. */
export const trace = {
  order(orderId: string): OrderTrace | null {
    return traceOrder(currentWarren().db, orderId);
  },
  search(query: SearchQuery): OrderSummary[] {
    return searchOrders(currentWarren().db, query);
  },
};
