import { z } from "zod";
import { requestContext } from "@/lib/queues/action-context";
import { denyUnlessOperator, peekMessages, peekSchema, queueNameSchema } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ count: z.unknown().optional() });

/**
 * POST /api/broker/queues/{name}/peek with {"count": N} (1–50): operator only.
 * The broker requeues the messages, marked redelivered.
 */
export function POST(request: Request) {
  return handle(async () => {
    const context = requestContext(request);
    const queue = parseOr400(queueNameSchema, queueFromPath(request));
    denyUnlessOperator(context, "queue.peek", queue);
    const { count } = parseOr400(bodySchema, await jsonBody(request));
    const parsed = parseOr400(peekSchema, { queue, count: count ?? 5 });
    const messages = await peekMessages(context, queue, parsed.count);
    return Response.json({ queue, redelivered: true, messages });
  });
}
