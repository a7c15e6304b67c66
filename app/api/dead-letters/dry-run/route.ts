import { dryRun } from "@/lib/deadletters/operate";
import { route } from "@/lib/http/route";
import { denyUnlessOperator } from "@/lib/queues/operations";

export const dynamic = "force-dynamic";

/**
 * POST `{ queue, selection, edit? }`: what a redrive of the selection would do
 * now (pay / duplicate / conflict / invalid with its fields), predicted by the
 * consumer's decision code; nothing is published. Operators only, as the redrive.
 */
export const POST = route(async ({ access, client, json }) => {
  denyUnlessOperator({ access: await access(), client }, "dead-letters", null);
  return Response.json(await dryRun(await json()));
});
