import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { parseQueueListQuery } from "@/lib/queues/list";
import { queuePage } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

/** GET /api/broker/queues?page=&size=&name=&sort=&dir= — one page of the vhost's queues. */
export const GET = route(async ({ request }) => {
  const parsed = parseQueueListQuery(new URL(request.url).searchParams);
  if (!parsed.ok) throw new WarrenError("bad_request", "Invalid query.", { fieldErrors: parsed.fieldErrors });
  return Response.json(await queuePage(parsed.query));
});
