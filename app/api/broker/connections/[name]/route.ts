import { brokerManagement } from "@/lib/broker-admin";
import { connectionDetail } from "@/lib/broker-admin/connections";
import { nameFromPath } from "@/lib/broker-admin/vhost";
import { WarrenError } from "@/lib/errors";
import { handle } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/broker/connections/<name> — one connection and its channels; 404 once it is closed. */
export function GET(request: Request) {
  return handle(async () => {
    const name = nameFromPath(request, 4);
    const detail = await connectionDetail(brokerManagement(), name);
    if (detail.mode === "management" && !detail.connection) {
      throw new WarrenError("not_found", `There is no open connection named "${name}".`);
    }
    return Response.json(detail);
  });
}
