import { dashboardSnapshot } from "@/lib/dashboard/snapshot";
import type { QueueSample } from "@/lib/events/sampler";
import { lastEventIdOf, sharedSseEvent, sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import { getHealthMonitor } from "@/lib/health/monitor";
import type { PipelineHealth } from "@/lib/health/pipeline";
import { route } from "@/lib/http/route";
import type { Payment } from "@/lib/payments/decide";
import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/** Live dashboard events: snapshot, queues (~1/s from the shared sampler), health (≤1/s, shared), payment, heartbeats. */
export const GET = route(({ request, access, client }) =>
  liveStream(request, { client, signedIn: access().user !== null }, (send) => {
    const { sampler, relay, runtime } = getLive();
    const health = getHealthMonitor();
    // Live events are shared objects: encoded once for all clients.
    const onPayment = (payment: Payment) => send(sharedSseEvent("payment", payment, payment.seq));
    const onSample = (sample: QueueSample) => send(sharedSseEvent("queues", sample));
    const onHealth = (value: PipelineHealth) => send(sharedSseEvent("health", value));
    send(sseEvent("snapshot", dashboardSnapshot()));
    const resumeFrom = lastEventIdOf(request);
    if (resumeFrom !== null) {
      for (const payment of runtime.ledger.since(resumeFrom)) onPayment(payment);
    }
    relay.on("payment", onPayment);
    sampler.on("sample", onSample);
    health.on("health", onHealth);
    return () => {
      relay.off("payment", onPayment);
      sampler.off("sample", onSample);
      health.off("health", onHealth);
    };
  }),
);
