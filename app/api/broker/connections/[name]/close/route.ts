import { closeConnection, closeConnectionSchema } from "@/lib/broker-admin/close-connection";
import { nameFromPath } from "@/lib/broker-admin/vhost";
import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { denyUnlessOperator } from "@/lib/queues/operations";

export const dynamic = "force-dynamic";

/** POST /api/broker/connections/<name>/close {"reason": "…"} — operator only, audited. */
export const POST = route(async ({ request, access, client, json }) => {
  const name = nameFromPath(request, 4);
  const context = { access: await access(), client };
  denyUnlessOperator(context, "connection.close", name);
  const body = (await json()) as Record<string, unknown>;
  const { reason } = parseOr400(closeConnectionSchema, { name, reason: body?.reason });
  await closeConnection(context, name, reason);
  return Response.json({ closed: name, reason });
});
