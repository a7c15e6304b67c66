import type { AlarmState } from "@/lib/broker-admin/alarm-monitor";
import { dashboardSnapshot } from "@/lib/dashboard/snapshot";
import { live } from "@/lib/events/live";
import type { QueueSample } from "@/lib/events/sampler";
import { lastEventIdOf, sharedSseEvent, sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import type { PipelineHealth } from "@/lib/health/pipeline";
import { route } from "@/lib/http/route";
import type { Payment } from "@/lib/payments/decide";

export const dynamic = "force-dynamic";

/**
 * The tab's one live stream: snapshot, queues (~1/s from the shared sampler), health (≤1/s, shared), payment,
 * alarms (every page's banner: the state on connect, then each change), heartbeats.
 */
export const GET = route(({ request, access, client }) =>
  liveStream(request, { client, signedIn: access().user !== null }, (send) => {
    // Live events are shared objects: encoded once for all clients.
    const onPayment = (payment: Payment) => send(sharedSseEvent("payment", payment, payment.seq));
    const onSample = (sample: QueueSample) => send(sharedSseEvent("queues", sample));
    const onHealth = (value: PipelineHealth) => send(sharedSseEvent("health", value));
    const onAlarms = (state: AlarmState) => send(sharedSseEvent("alarms", state));
    send(sseEvent("snapshot", dashboardSnapshot()));
    send(sseEvent("alarms", live.alarmState()));
    const resumeFrom = lastEventIdOf(request);
    if (resumeFrom !== null) {
      for (const payment of live.paymentsSince(resumeFrom)) onPayment(payment);
    }
    return live.subscribe({ payment: onPayment, queues: onSample, health: onHealth, alarms: onAlarms });
  }),
);
