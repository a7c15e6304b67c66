import { z } from "zod";
import { requestContext } from "@/lib/queues/action-context";
import { denyUnlessOperator, purgeQueue, queueNameSchema } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ confirm: z.literal("purge", { message: 'send {"confirm":"purge"} to purge' }) });

/** POST /api/broker/queues/{name}/purge with {"confirm":"purge"}: operator only (401/403). */
export function POST(request: Request) {
  return handle(async () => {
    const context = requestContext(request);
    const queue = parseOr400(queueNameSchema, queueFromPath(request));
    denyUnlessOperator(context, "queue.purge", queue);
    parseOr400(bodySchema, await jsonBody(request));
    const purged = await purgeQueue(context, queue);
    return Response.json({ queue, purged });
  });
}
