import { route } from "@/lib/http/route";
import { startMove } from "@/lib/messages";
import { ndjsonResponse } from "@/lib/messages/stream";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/**
 * POST /api/broker/queues/{name}/move with {"mode": "move"|"copy", "target": {"queue": "q"} or
 * {"exchange": "x", "routingKey": "k"}, "selection": {"all": true} | {"ids": [...]} | {"filter": "..."} |
 * {"group": "..."}, "limit"?: 10000, "rate"?: 1000, "confirmed": true, "confirmConsumers"?: true}:
 * operator only, audited. Streams NDJSON progress; each source copy is acked only after the broker confirmed
 * the new one (a copy requeues it). Closing the response cancels: in-flight publishes finish, the rest is requeued.
 */
export const POST = route(async ({ request, access, client, json }) => {
  const queue = queueOfPath(request);
  const abort = new AbortController();
  const events = await startMove({ access: access(), client }, queue, await json({ limit: 512 * 1024 }), abort.signal);
  return ndjsonResponse(events, abort, request);
});
