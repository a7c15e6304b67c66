import { sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import { route } from "@/lib/http/route";
import { queueOfPath } from "@/lib/queues/route-helpers";
import type { QueueDetail } from "@/lib/queues/service";
import { watchQueue } from "@/lib/queues/watch";
import { detailFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";

/**
 * GET /api/broker/queues/{name}/stream: the queue's detail pushed every
 * second (SSE); the charts read the stored history (…/history). Only queues that exist are watched (404 otherwise). Capped and ended at
 * shutdown like the dashboard's stream.
 */
export const GET = route(async ({ request, access, client }) => {
  const name = queueOfPath(request);
  const viewer = access();
  const watch = await watchQueue(name);
  return liveStream(request, { client, signedIn: viewer.user !== null }, (send) =>
    watch((detail: QueueDetail) => send(sseEvent("detail", detailFor(detail, viewer)))),
  );
});
