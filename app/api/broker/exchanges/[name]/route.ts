import { brokerManagement } from "@/lib/broker-admin";
import { exchangeDetail } from "@/lib/broker-admin/exchanges";
import { nameFromPath, parseVhost } from "@/lib/broker-admin/vhost";
import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET /api/broker/exchanges/<name>?vhost=/ — one exchange and its bindings both ways (amq.default: the default exchange). */
export const GET = route(async ({ request }) => {
  const segment = nameFromPath(request, 4);
  const vhost = parseVhost(new URL(request.url).searchParams.get("vhost")) ?? "/";
  const detail = await exchangeDetail(brokerManagement(), vhost, segment === "amq.default" ? "" : segment);
  if (detail.mode === "management" && !detail.exchange) {
    throw new WarrenError("not_found", `There is no exchange named "${segment}" in vhost ${vhost}.`);
  }
  return Response.json(detail);
});
