import { z } from "zod";
import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { denyUnlessOperator, purgeQueue } from "@/lib/queues/operations";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const bodySchema = z.object({ confirm: z.literal("purge", { message: 'send {"confirm":"purge"} to purge' }) });

/** POST /api/broker/queues/{name}/purge with {"confirm":"purge"}: operator only (401/403). */
export const POST = route(async ({ request, access, client, json }) => {
  const context = { access: await access(), client };
  const queue = queueOfPath(request);
  denyUnlessOperator(context, "queue.purge", queue);
  parseOr400(bodySchema, await json());
  const purged = await purgeQueue(context, queue);
  return Response.json({ queue, purged });
});
