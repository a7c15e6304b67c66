import { z } from "zod";
import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { denyUnlessOperator, publishTestMessage, testMessageSchema } from "@/lib/queues/operations";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ message: z.unknown() });

/** POST /api/broker/queues/{name}/publish with {"message": <any JSON>}: operator only. */
export const POST = route(async ({ request, access, client, json }) => {
  const context = { access: await access(), client };
  const queue = queueOfPath(request);
  denyUnlessOperator(context, "queue.publish-test", queue);
  const { message } = parseOr400(bodySchema, await json());
  const body = parseOr400(testMessageSchema, { queue, body: JSON.stringify(message ?? null) }).body;
  const messageId = await publishTestMessage(context, queue, body);
  return Response.json({ queue, messageId }, { status: 201 });
});
