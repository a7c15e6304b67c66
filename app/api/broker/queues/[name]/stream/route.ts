import { SSE_HEADERS, sseEvent } from "@/lib/events/sse";
import { queueNameSchema } from "@/lib/queues/operations";
import { handle, parseOr400, queueFromPath } from "@/lib/queues/route-helpers";
import type { QueueDetail } from "@/lib/queues/service";
import { watchQueue } from "@/lib/queues/watch";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

/**
 * GET /api/broker/queues/{name}/stream: the queue's detail pushed every
 * second (SSE). History points are sent once: each event carries only the
 * points newer than the last one this client got (`?since=` on connect).
 */
export function GET(request: Request) {
  return handle(async () => {
    const name = parseOr400(queueNameSchema, queueFromPath(request));
    const sinceRaw = new URL(request.url).searchParams.get("since");
    let since = sinceRaw && /^\d{1,15}$/.test(sinceRaw) ? Number(sinceRaw) : 0;
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let closed = false;
        const send = (chunk: string) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            cleanup();
          }
        };
        const onDetail = (detail: QueueDetail) => {
          const points = detail.history.points.filter((p) => p.at > since);
          since = points.at(-1)?.at ?? since;
          send(sseEvent("detail", { ...detail, history: { ...detail.history, points } }));
        };
        const unsubscribe = watchQueue(name, onDetail);
        const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
        cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          request.signal.removeEventListener("abort", cleanup);
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        send("retry: 2000\n\n");
        request.signal.addEventListener("abort", cleanup);
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, { headers: SSE_HEADERS });
  });
}
