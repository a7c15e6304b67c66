import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";
import { controlCommandSchema } from "@/lib/payments/control";
import { controlConsumers, denyUnlessOperator } from "@/lib/queues/operations";
import { orderConsumer } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

/** GET: this process's payment consumer state. */
export const GET = route(() => Response.json(orderConsumer()));

/** POST {"command":"pause"|"resume"} or {"command":"prefetch","prefetch":N}: to every process, operator only. */
export const POST = route(async ({ access, client, json }) => {
  const context = { access: await access(), client };
  denyUnlessOperator(context, "consumers.control", orderConsumer().queue);
  const command = parseOr400(controlCommandSchema, await json());
  await controlConsumers(context, command);
  return Response.json({ ok: true, command }, { status: 202 });
});
