import { route } from "@/lib/http/route";
import { startSearch } from "@/lib/messages";
import { ndjsonResponse } from "@/lib/messages/stream";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/**
 * POST /api/broker/queues/{name}/search with {"filter": "item = \"book\" and quantity > 3", "limit": 5000,
 * "confirmConsumers"?: true}: operator only. Streams NDJSON events (start, progress, match, done) while it
 * reads; closing the response cancels: reading stops and every message read goes back to the queue.
 * A queue with consumers is refused (409) unless confirmConsumers is true; a stream queue is refused (400).
 */
export const POST = route(async ({ request, access, client, json }) => {
  const queue = queueOfPath(request);
  const abort = new AbortController();
  const events = await startSearch({ access: access(), client }, queue, await json({ empty: {} }), abort.signal);
  return ndjsonResponse(events, abort, request);
});
