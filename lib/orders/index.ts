import "server-only";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { type HeaderSource, withAcceptSpan } from "../tracing/spans";
import { acceptOrder } from "./accept";
import { fingerprintOf, once } from "./idempotency";
import type { AcceptedOrder, OrderSource } from "./types";

export { readIdempotencyKey } from "./idempotency";
export type { AcceptedOrder, OrderSource, PlacedOrder } from "./types";

export interface AcceptOptions {
  /** The client's Idempotency-Key (the API's header, the form's per-submission field). */
  idempotencyKey?: string | null;
  /** The request's headers: their `traceparent` is continued when no HTTP span is active (lib/tracing). */
  headers?: HeaderSource | null;
}

/** An accepted order; `replayed` when it is the kept answer to an earlier request with the same key. */
export type AcceptAnswer = AcceptedOrder & { replayed?: true };

/** What pages, routes and actions may do with orders. */
export const orders = {
  /**
   * Both doors (the form's action and `POST /api/orders`): see acceptOrder.
   * With an idempotency key, a retry of the same request gets the first
   * answer again and the same key with another body is a 409 (lib/orders/idempotency.ts).
   */
  accept(raw: unknown, source: OrderSource, { idempotencyKey, headers }: AcceptOptions = {}): Promise<AcceptAnswer> {
    // The span's context is what the outbox stores with the row (OrderOutbox.accept).
    return withAcceptSpan(headers, { "warren.order.source": source }, async (span) => {
      const answer = await acceptOnce(raw, source, idempotencyKey);
      span?.setAttributes({ "warren.order.id": answer.orderId, "warren.order.status": answer.status });
      if (answer.replayed) span?.setAttribute("warren.idempotency.replayed", true);
      return answer;
    });
  },
};

async function acceptOnce(raw: unknown, source: OrderSource, idempotencyKey?: string | null): Promise<AcceptAnswer> {
  const { outbox, store, metrics, log } = currentWarren();
  if (!outbox) throw new WarrenError("broker_unavailable", "This process does not take orders.");
  if (!idempotencyKey) return acceptOrder(raw, source, outbox);
  // Keys live per door: the form's generated keys never meet an API client's.
  const request = { key: `${source}:${idempotencyKey}`, fingerprint: fingerprintOf(raw) };
  const answer = await once(store.idempotency, request, async () => ({
    status: 202,
    body: JSON.stringify(await acceptOrder(raw, source, outbox)),
  }));
  const order = JSON.parse(answer.body) as AcceptedOrder;
  if (!answer.replayed) return order;
  // A client retry absorbed at the door: counted for the cost of exactly-once and shown on the order's trace.
  metrics.countAbsorbed("client_retry", "duplicate");
  await store.timing
    .recordClientRetry({ orderId: order.orderId, at: Date.now() })
    .catch((error: Error) => log(`[orders] could not record a client retry of ${order.orderId}: ${error.message}`));
  return { ...order, replayed: true };
}
