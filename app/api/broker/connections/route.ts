import { brokerManagement } from "@/lib/broker-admin";
import { listConnections } from "@/lib/broker-admin/connections";
import { parseVhost } from "@/lib/broker-admin/vhost";
import { route } from "@/lib/http/route";
import { connectionsFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";

/** GET /api/broker/connections?vhost=/ — the vhost's connections (`vhost=*` for all), blocked ones first; client addresses for operators only. */
export const GET = route(async ({ request, access }) => {
  const vhost = parseVhost(new URL(request.url).searchParams.get("vhost"));
  return Response.json(connectionsFor(await listConnections(brokerManagement(), vhost), await access()));
});
