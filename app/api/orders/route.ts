import { route } from "@/lib/http/route";
import { orders } from "@/lib/orders";

export const dynamic = "force-dynamic";

/** An order is a few short fields: anything bigger is not an order. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /api/orders` with JSON: 202 once the order is durable in the outbox —
 * `"status": "placed"` when the broker confirmed it within a second,
 * `"status": "accepted", "waiting": "broker"` while the broker is away (the
 * relay publishes it as soon as the broker is back).
 */
export const POST = route(async ({ json }) => {
  const order = await orders.accept(await json({ limit: MAX_BODY_BYTES }), "api");
  return Response.json(order, { status: 202 });
});
