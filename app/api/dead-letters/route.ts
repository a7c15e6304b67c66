import { actorOf } from "@/lib/audit";
import { browse, knownDeadLetterQueues, operate, summarize } from "@/lib/deadletters/operate";
import { isWarrenError, WarrenError } from "@/lib/errors";
import { log } from "@/lib/process/log";
import { requestContext } from "@/lib/queues/action-context";
import { denyUnlessOperator } from "@/lib/queues/operations";

export const dynamic = "force-dynamic";

function fail(error: unknown): Response {
  if (isWarrenError(error)) return error.toResponse();
  log(`[dead-letters] unexpected error: ${(error as Error).stack ?? error}`);
  return Response.json({ error: "internal", message: "The request failed; nothing was lost." }, { status: 500 });
}

/** GET: the known DLQs, or ?queue=NAME&limit=N for its messages (anyone may look). */
export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  const queue = params.get("queue");
  try {
    if (!queue) return Response.json(await knownDeadLetterQueues());
    const raw = params.get("limit") ?? "200";
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
      throw new WarrenError("bad_request", "limit must be a whole number from 1 to 1000.");
    }
    return Response.json(await browse(queue, Number(raw)));
  } catch (error) {
    return fail(error);
  }
}

/** POST: redrive or discard (operators only), body as the workbench's action. */
export async function POST(request: Request) {
  try {
    const context = requestContext(request);
    denyUnlessOperator(context, "dead-letters", null);
    if (!request.headers.get("content-type")?.includes("application/json")) {
      throw new WarrenError("unsupported_media_type", "Send the action as application/json.");
    }
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw new WarrenError("bad_request", "The body is not valid JSON.");
    }
    const result = await operate(body, actorOf(context.access.role, context.sessionToken));
    return Response.json({ message: summarize(result), ...result });
  } catch (error) {
    return fail(error);
  }
}
