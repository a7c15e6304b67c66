import { closeConnection, closeConnectionSchema } from "@/lib/broker-admin/close-connection";
import { nameFromPath } from "@/lib/broker-admin/vhost";
import { requestContext } from "@/lib/queues/action-context";
import { denyUnlessOperator } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400 } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** POST /api/broker/connections/<name>/close {"reason": "…"} — operator only, audited. */
export function POST(request: Request) {
  return handle(async () => {
    const name = nameFromPath(request, 4);
    const context = requestContext(request);
    denyUnlessOperator(context, "connection.close", name);
    const body = (await jsonBody(request)) as Record<string, unknown>;
    const { reason } = parseOr400(closeConnectionSchema, { name, reason: body?.reason });
    await closeConnection(context, name, reason);
    return Response.json({ closed: name, reason });
  });
}
