import type { AlertsState } from "@/lib/alerts/board";
import type { BooksReport } from "@/lib/books/books";
import type { AlarmState } from "@/lib/broker-admin/alarm-monitor";
import { dashboardSnapshot } from "@/lib/dashboard/snapshot";
import { live } from "@/lib/events/live";
import type { QueueSample } from "@/lib/events/sampler";
import { lastEventIdOf, sharedSseEvent, sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import type { PipelineHealth } from "@/lib/health/pipeline";
import { route } from "@/lib/http/route";
import { partLogger } from "@/lib/observability/logger";
import type { Payment } from "@/lib/payments/decide";

export const dynamic = "force-dynamic";

/**
 * The tab's one live stream: snapshot, queues (~1/s from the shared sampler), health (≤1/s, shared), payment,
 * alarms and alerts (every page's banners: the state on connect, then each change), books (each tick of the one checker), heartbeats.
 */
export const GET = route(({ request, access, client }) =>
  liveStream(request, { client, signedIn: access().user !== null }, (send) => {
    // The snapshot and a resume are read from the store (async on any backend); live events that arrive
    // meanwhile wait behind them, so a tab always gets its snapshot first (it dedupes payments by seq).
    let held: Array<string | Uint8Array> | null = [];
    const emit = (chunk: string | Uint8Array) => (held ? held.push(chunk) : send(chunk));
    // Live events are shared objects: encoded once for all clients.
    const onPayment = (payment: Payment) => emit(sharedSseEvent("payment", payment, payment.seq));
    const onSample = (sample: QueueSample) => emit(sharedSseEvent("queues", sample));
    const onHealth = (value: PipelineHealth) => emit(sharedSseEvent("health", value));
    const onAlarms = (state: AlarmState) => emit(sharedSseEvent("alarms", state));
    const onBooks = (report: BooksReport) => emit(sharedSseEvent("books", report));
    const onAlerts = (state: AlertsState) => emit(sharedSseEvent("alerts", state));
    const unsubscribe = live.subscribe({
      payment: onPayment,
      queues: onSample,
      health: onHealth,
      alarms: onAlarms,
      books: onBooks,
      alerts: onAlerts,
    });
    const resumeFrom = lastEventIdOf(request);
    void (async () => {
      try {
        send(sseEvent("snapshot", await dashboardSnapshot()));
        send(sseEvent("alarms", live.alarmState()));
        send(sseEvent("alerts", live.alertsState()));
        if (resumeFrom !== null) {
          for (const payment of await live.payments.since(resumeFrom)) {
            send(sharedSseEvent("payment", payment, payment.seq));
          }
        }
      } catch (error) {
        partLogger("api").error({ err: error }, "[events] could not read the snapshot for a live stream");
      } finally {
        const waiting = held ?? [];
        held = null;
        for (const chunk of waiting) send(chunk);
      }
    })();
    return unsubscribe;
  }),
);
