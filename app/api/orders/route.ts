import { route } from "@/lib/http/route";
import { orders, readIdempotencyKey } from "@/lib/orders";

export const dynamic = "force-dynamic";

/** An order is a few short fields: anything bigger is not an order. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /api/orders` with JSON: 202 once the order is durable in the outbox —
 * `"status": "placed"` when the broker confirmed it within a second,
 * `"status": "accepted", "waiting": "broker"` while the broker is away (the
 * relay publishes it as soon as the broker is back).
 *
 * With an `Idempotency-Key` header a retry of the same body gets the first
 * answer again (same order id and status, marked `Idempotent-Replayed: true`)
 * for 24 h; the same key with another body is a 409.
 */
export const POST = route(async ({ json, request }) => {
  const idempotencyKey = readIdempotencyKey(request.headers.get("idempotency-key"));
  const { replayed, ...order } = await orders.accept(await json({ limit: MAX_BODY_BYTES }), "api", {
    idempotencyKey,
    headers: request.headers,
  });
  return Response.json(order, { status: 202, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
