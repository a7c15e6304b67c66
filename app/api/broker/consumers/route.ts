import { controlCommandSchema } from "@/lib/payments/control";
import { requestContext } from "@/lib/queues/action-context";
import { controlConsumers, denyUnlessOperator } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400 } from "@/lib/queues/route-helpers";
import { orderConsumer } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

/** GET: this process's payment consumer state. */
export function GET() {
  return Response.json(orderConsumer());
}

/** POST {"command":"pause"|"resume"} or {"command":"prefetch","prefetch":N}: to every process, operator only. */
export function POST(request: Request) {
  return handle(async () => {
    const context = requestContext(request);
    denyUnlessOperator(context, "consumers.control", orderConsumer().queue);
    const command = parseOr400(controlCommandSchema, await jsonBody(request));
    await controlConsumers(context, command);
    return Response.json({ ok: true, command }, { status: 202 });
  });
}
