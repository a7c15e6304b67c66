import { controlCommandSchema } from "@/lib/payments/control";
import { requestContext } from "@/lib/queues/action-context";
import { controlConsumers, denyUnlessOperator } from "@/lib/queues/operations";
import { handle, jsonBody, parseOr400 } from "@/lib/queues/route-helpers";
import { consumerState } from "@/lib/queues/service";
import { getRuntime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/** GET: this process's payment consumer state. */
export function GET() {
  const runtime = getRuntime();
  return Response.json({ queue: runtime.env.ORDER_QUEUE, consumer: consumerState(runtime.consumer) });
}

/** POST {"command":"pause"|"resume"} or {"command":"prefetch","prefetch":N}: to every process, operator only. */
export function POST(request: Request) {
  return handle(async () => {
    const context = requestContext(request);
    denyUnlessOperator(context, "consumers.control", getRuntime().env.ORDER_QUEUE);
    const command = parseOr400(controlCommandSchema, await jsonBody(request));
    await controlConsumers(context, command);
    return Response.json({ ok: true, command }, { status: 202 });
  });
}
