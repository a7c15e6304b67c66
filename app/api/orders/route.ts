import { isWarrenError, WarrenError } from "@/lib/errors";
import { orders } from "@/lib/orders";
import { log } from "@/lib/process/log";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /api/orders` with JSON: 202 once the order is durable in the outbox —
 * `"status": "placed"` when the broker confirmed it within a second,
 * `"status": "accepted", "waiting": "broker"` while the broker is away (the
 * relay publishes it as soon as the broker is back).
 */
export async function POST(request: Request) {
  try {
    const body = await readJson(request);
    const order = await orders.accept(body, "api");
    return Response.json(order, { status: 202 });
  } catch (error) {
    if (isWarrenError(error)) return error.toResponse();
    log(`[orders] unexpected error: ${(error as Error).stack ?? error}`);
    return Response.json({ error: "internal", message: "The order could not be placed." }, { status: 500 });
  }
}

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new WarrenError(
      "unsupported_media_type",
      'Send the order as JSON with the header "Content-Type: application/json".',
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WarrenError("bad_request", `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge() {
  return new WarrenError("payload_too_large", `An order body may be at most ${MAX_BODY_BYTES} bytes.`);
}
