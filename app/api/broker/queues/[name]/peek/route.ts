import { z } from "zod";
import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { denyUnlessOperator, peekMessages, peekSchema } from "@/lib/queues/operations";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ count: z.unknown().optional() });

/**
 * POST /api/broker/queues/{name}/peek with {"count": N} (1–50): operator only.
 * The broker requeues the messages, marked redelivered.
 */
export const POST = route(async ({ request, access, client, json }) => {
  const context = { access: await access(), client };
  const queue = queueOfPath(request);
  denyUnlessOperator(context, "queue.peek", queue);
  const { count } = parseOr400(bodySchema, await json({ empty: {} }));
  const parsed = parseOr400(peekSchema, { queue, count: count ?? 5 });
  const messages = await peekMessages(context, queue, parsed.count);
  return Response.json({ queue, redelivered: true, messages });
});
