import { z } from "zod";
import { requestContext } from "@/lib/queues/action-context";
import { denyUnlessOperator, publishTestMessage, queueNameSchema, testMessageSchema } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ message: z.unknown() });

/** POST /api/broker/queues/{name}/publish with {"message": <any JSON>}: operator only. */
export function POST(request: Request) {
  return handle(async () => {
    const context = requestContext(request);
    const queue = parseOr400(queueNameSchema, queueFromPath(request));
    denyUnlessOperator(context, "queue.publish-test", queue);
    const { message } = parseOr400(bodySchema, await jsonBody(request));
    const body = parseOr400(testMessageSchema, { queue, body: JSON.stringify(message ?? null) }).body;
    const messageId = await publishTestMessage(context, queue, body);
    return Response.json({ queue, messageId }, { status: 201 });
  });
}
