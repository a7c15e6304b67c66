import { dashboardSnapshot } from "@/lib/dashboard/snapshot";
import type { QueueSample } from "@/lib/events/sampler";
import { lastEventIdOf, SSE_HEADERS, sharedSseEvent, sseEvent } from "@/lib/events/sse";
import { clientKey, maxStreamsPerClient, reserveStream, trackStream } from "@/lib/events/streams";
import { getHealthMonitor } from "@/lib/health/monitor";
import type { PipelineHealth } from "@/lib/health/pipeline";
import type { Payment } from "@/lib/payments/decide";
import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

/** Live dashboard events: snapshot, queues (~1/s from the shared sampler), health (≤1/s, shared), payment, heartbeats. */
export async function GET(request: Request) {
  const release = reserveStream(clientKey(request));
  if (!release) {
    return Response.json(
      {
        error: "too_many_streams",
        message: `At most ${maxStreamsPerClient()} live streams per client; close a tab and retry.`,
      },
      { status: 429, headers: { "Retry-After": "10" } },
    );
  }
  const { sampler, relay, runtime } = getLive();
  const health = getHealthMonitor();
  const resumeFrom = lastEventIdOf(request);
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (chunk: string | Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        } catch {
          cleanup();
        }
      };
      // Live events are shared objects: encoded once for all clients.
      const onPayment = (payment: Payment) => send(sharedSseEvent("payment", payment, payment.seq));
      const onSample = (sample: QueueSample) => send(sharedSseEvent("queues", sample));
      const onHealth = (value: PipelineHealth) => send(sharedSseEvent("health", value));
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
      // On shutdown: say so, then end the stream so the HTTP server can close (the client reconnects).
      const untrack = trackStream(() => {
        send(sseEvent("shutdown", { reconnectInMs: 2000 }));
        cleanup();
      });
      cleanup = () => {
        if (closed) return;
        closed = true;
        release();
        untrack();
        clearInterval(heartbeat);
        relay.off("payment", onPayment);
        sampler.off("sample", onSample);
        health.off("health", onHealth);
        request.signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };

      send("retry: 2000\n\n");
      send(sseEvent("snapshot", dashboardSnapshot()));
      if (resumeFrom !== null) {
        for (const payment of runtime.ledger.since(resumeFrom)) onPayment(payment);
      }
      relay.on("payment", onPayment);
      sampler.on("sample", onSample);
      health.on("health", onHealth);
      request.signal.addEventListener("abort", cleanup);
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(stream, { headers: SSE_HEADERS });
}
