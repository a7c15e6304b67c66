import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { controlCommandSchema } from "@/lib/payments/control";
import { controlConsumers, denyUnlessOperator } from "@/lib/queues/operations";
import { consumerState } from "@/lib/queues/service";
import { getRuntime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/** GET: this process's payment consumer state. */
export const GET = route(() => {
  const runtime = getRuntime();
  return Response.json({ queue: runtime.env.ORDER_QUEUE, consumer: consumerState(runtime.consumer) });
});

/** POST {"command":"pause"|"resume"} or {"command":"prefetch","prefetch":N}: to every process, operator only. */
export const POST = route(async ({ access, client, json }) => {
  const context = { access: access(), client };
  denyUnlessOperator(context, "consumers.control", getRuntime().env.ORDER_QUEUE);
  const command = parseOr400(controlCommandSchema, await json());
  await controlConsumers(context, command);
  return Response.json({ ok: true, command }, { status: 202 });
});
