import { parseRange, queueHistory } from "@/lib/history";
import { route } from "@/lib/http/route";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/**
 * GET /api/broker/queues/{name}/history?range=10m|1h|24h|7d|30d: the queue's stored history,
 * columnar, one slot per step (1 s, 10 s, 1 min, 10 min, 1 h), null where nothing was recorded.
 */
export const GET = route(async ({ request }) => {
  const name = queueOfPath(request);
  const range = parseRange(new URL(request.url).searchParams.get("range"));
  return Response.json(await queueHistory(name, range));
});
