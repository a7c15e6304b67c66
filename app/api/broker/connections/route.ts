import { brokerManagement } from "@/lib/broker-admin";
import { listConnections } from "@/lib/broker-admin/connections";
import { parseVhost } from "@/lib/broker-admin/vhost";
import { handle } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/broker/connections?vhost=/ — the vhost's connections (`vhost=*` for all), blocked ones first. */
export function GET(request: Request) {
  return handle(async () => {
    const vhost = parseVhost(new URL(request.url).searchParams.get("vhost"));
    return Response.json(await listConnections(brokerManagement(), vhost));
  });
}
