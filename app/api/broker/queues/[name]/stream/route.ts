import { sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import { queueNameSchema } from "@/lib/queues/operations";
import { handle, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";
import type { QueueDetail } from "@/lib/queues/service";
import { watchQueue } from "@/lib/queues/watch";

export const dynamic = "force-dynamic";

/**
 * GET /api/broker/queues/{name}/stream: the queue's detail pushed every
 * second (SSE). History points are sent once: each event carries only the
 * points newer than the last one this client got (`?since=` on connect).
 * Capped and ended at shutdown like the dashboard's stream.
 */
export function GET(request: Request) {
  return handle(async () => {
    const name = parseOr400(queueNameSchema, queueFromPath(request));
    const sinceRaw = new URL(request.url).searchParams.get("since");
    let since = sinceRaw && /^\d{1,15}$/.test(sinceRaw) ? Number(sinceRaw) : 0;
    return liveStream(request, (send) =>
      watchQueue(name, (detail: QueueDetail) => {
        const points = detail.history.points.filter((p) => p.at > since);
        since = points.at(-1)?.at ?? since;
        send(sseEvent("detail", { ...detail, history: { ...detail.history, points } }));
      }),
    );
  });
}
