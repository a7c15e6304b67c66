import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { queueOfPath } from "@/lib/queues/route-helpers";
import { queueDetail } from "@/lib/queues/service";
import { detailFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";

/** GET /api/broker/queues/{name}: counts, consumers, arguments, policy and the server-kept history. */
export const GET = route(async ({ request, access }) => {
  const name = queueOfPath(request);
  const detail = await queueDetail(name);
  if (!detail.exists) throw new WarrenError("not_found", `There is no queue named "${name}".`);
  return Response.json(detailFor(detail, await access()));
});
