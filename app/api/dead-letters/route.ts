import { actorOf } from "@/lib/audit";
import { browse, knownDeadLetterQueues, operate, summarize } from "@/lib/deadletters/operate";
import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { denyUnlessOperator } from "@/lib/queues/operations";
import { browseFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";

/** GET: the known DLQs, or ?queue=NAME&limit=N for its messages (anyone may look; masked fields for viewers). */
export const GET = route(async ({ request, access }) => {
  const params = new URL(request.url).searchParams;
  const queue = params.get("queue");
  if (!queue) return Response.json(await knownDeadLetterQueues());
  const raw = params.get("limit") ?? "200";
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw new WarrenError("bad_request", "limit must be a whole number from 1 to 1000.");
  }
  return Response.json(browseFor(await browse(queue, Number(raw)), await access()));
});

/** POST: redrive or discard (operators only), body as the workbench's action. */
export const POST = route(async ({ access, client, json }) => {
  const context = { access: await access(), client };
  denyUnlessOperator(context, "dead-letters", null);
  const result = await operate(await json(), actorOf(context.access));
  return Response.json({ message: summarize(result), ...result });
});
