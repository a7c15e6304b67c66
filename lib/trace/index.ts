import "server-only";
import { currentWarren } from "../process/current";
import { traceViewerUrl } from "../tracing/viewer";
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
  /** The order's trace in the external viewer (WARREN_TRACE_URL), or null when none is configured. */
  viewerUrl(traceId: string | null): string | null {
    return traceViewerUrl(currentWarren().env.WARREN_TRACE_URL, traceId);
  },
};
