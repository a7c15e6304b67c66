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
 * second (SSE). History points are sent once: each event carries only the
 * points newer than the last one this client got (`?since=` on connect).
 * Only queues that exist are watched (404 otherwise). Capped and ended at
 * shutdown like the dashboard's stream.
 */
export const GET = route(async ({ request, access, client }) => {
  const name = queueOfPath(request);
  const sinceRaw = new URL(request.url).searchParams.get("since");
  let since = sinceRaw && /^\d{1,15}$/.test(sinceRaw) ? Number(sinceRaw) : 0;
  const viewer = await access();
  const watch = await watchQueue(name);
  return liveStream(request, { client, signedIn: viewer.user !== null }, (send) =>
    watch((detail: QueueDetail) => {
      const points = detail.history.points.filter((p) => p.at > since);
      since = points.at(-1)?.at ?? since;
      send(sseEvent("detail", detailFor({ ...detail, history: { ...detail.history, points } }, viewer)));
    }),
  );
});
