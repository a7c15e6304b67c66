import { WarrenError } from "@/lib/errors";
import { queueNameSchema } from "@/lib/queues/operations";
import { handle, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";
import { queueDetail } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

/** GET /api/broker/queues/{name}: counts, consumers, arguments, policy and the server-kept history. */
export function GET(request: Request) {
  return handle(async () => {
    const name = parseOr400(queueNameSchema, queueFromPath(request));
    const detail = await queueDetail(name);
    if (!detail.exists) throw new WarrenError("not_found", `There is no queue named "${name}".`);
    return Response.json(detail);
  });
}
