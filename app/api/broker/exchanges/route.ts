import { brokerManagement } from "@/lib/broker-admin";
import { listExchanges } from "@/lib/broker-admin/exchanges";
import { parseVhost } from "@/lib/broker-admin/vhost";
import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET /api/broker/exchanges?vhost=/ — the vhost's exchanges with type, flags, arguments and rates. */
export const GET = route(async ({ request }) => {
  const vhost = parseVhost(new URL(request.url).searchParams.get("vhost"));
  if (vhost === null) throw new WarrenError("bad_request", "Exchanges are listed one vhost at a time.");
  return Response.json(await listExchanges(brokerManagement(), vhost));
});
