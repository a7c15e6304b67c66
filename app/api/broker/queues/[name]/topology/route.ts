import { brokerManagement } from "@/lib/broker-admin";
import { queueTopology } from "@/lib/broker-admin/topology";
import { parseVhost } from "@/lib/broker-admin/vhost";
import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/broker/queues/<name>/topology?vhost=/ — the graph into the queue and its dead-letter path out. */
export const GET = route(async ({ request }) => {
  const queue = queueOfPath(request);
  const vhost = parseVhost(new URL(request.url).searchParams.get("vhost")) ?? "/";
  const topology = await queueTopology(brokerManagement(), vhost, queue);
  if (topology.mode === "management" && !topology.exists) {
    throw new WarrenError("not_found", `There is no queue named "${queue}" in vhost ${vhost}.`);
  }
  return Response.json(topology);
});
