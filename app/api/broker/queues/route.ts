import { isWarrenError, WarrenError } from "@/lib/errors";
import { parseQueueListQuery } from "@/lib/queues/list";
import { queuePage } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

/** GET /api/broker/queues?page=&size=&name=&sort=&dir= — one page of the vhost's queues. */
export async function GET(request: Request) {
  const parsed = parseQueueListQuery(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return new WarrenError("bad_request", "Invalid query.", { fieldErrors: parsed.fieldErrors }).toResponse();
  }
  try {
    return Response.json(await queuePage(parsed.query));
  } catch (error) {
    if (isWarrenError(error)) return error.toResponse();
    throw error;
  }
}
