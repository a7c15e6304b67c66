import { brokerManagement } from "@/lib/broker-admin";
import { connectionDetail } from "@/lib/broker-admin/connections";
import { nameFromPath } from "@/lib/broker-admin/vhost";
import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * GET /api/broker/connections/<name> — one connection and its channels; 404 once it is closed.
 * Operators only: a connection's name, peer and channel names are client ip:port pairs.
 */
export const GET = route(async ({ request, access }) => {
  const who = await access();
  if (who.role !== "operator") {
    throw new WarrenError(
      who.user ? "forbidden" : "unauthorized",
      "A connection's details show client addresses: operators only.",
    );
  }
  const name = nameFromPath(request, 4);
  const detail = await connectionDetail(brokerManagement(), name);
  if (detail.mode === "management" && !detail.connection) {
    throw new WarrenError("not_found", `There is no open connection named "${name}".`);
  }
  return Response.json(detail);
});
