import "server-only";
import type { z } from "zod";
import { isWarrenError, WarrenError } from "../errors";
import { partLogger } from "../observability/logger";
import { issuesByField } from "../validation";

/** Reads a JSON body (max 128 KiB) or throws a 4xx WarrenError. */
export async function jsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new WarrenError("unsupported_media_type", "Send the request body as application/json.");
  }
  const raw = await request.text();
  if (raw.length > 128 * 1024) throw new WarrenError("payload_too_large", "The request body is larger than 128 KiB.");
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new WarrenError("bad_request", "The request body is not valid JSON.");
  }
}

export function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new WarrenError("bad_request", "Invalid request.", { fieldErrors: issuesByField(parsed.error, "body") });
}

/** Turns expected failures into their 4xx/503 JSON; anything else is a logged 500 without details. */
export async function handle(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (isWarrenError(error)) return error.toResponse();
    partLogger("api").error({ err: error }, "[api] unexpected error");
    return Response.json({ error: "internal", message: "Unexpected error; see the server log." }, { status: 500 });
  }
}

/**
 * The queue name from /api/broker/queues/<name>/…, decoded exactly once.
 * Read from the raw path: Next hands route handlers params already decoded,
 * and decoding those again breaks names that contain "%".
 */
export function queueFromPath(request: Request): string {
  const raw = new URL(request.url).pathname.split("/")[4] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new WarrenError("bad_request", "The queue name in the address is not valid URL encoding.");
  }
}
