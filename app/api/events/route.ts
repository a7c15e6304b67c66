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

/** since() answers at most this many payments per call (PaymentStore.since's default). */
const RESUME_PAGE = 500;

/**
 * The tab's one live stream: snapshot, queues (~1/s from the shared sampler), health (≤1/s, shared), payment,
 * alarms and alerts (every page's banners: the state on connect, then each change), books (each tick of the one checker), heartbeats.
 *
 * Payments come from the store, never straight from the fanout: the process's payment tail reads
 * `payments.since()` (on PostgreSQL only rows visible to every reader, in commit-safe order) and each event's
 * id is its place in that order, so a `Last-Event-ID` resume on any instance continues exactly there and never
 * passes over a payment that committed late. The fanout only wakes the tail.
 */
export const GET = route(async ({ request, access, client }) => {
  const signedIn = (await access()).user !== null;
  return liveStream(request, { client, signedIn }, (send) => {
    // The snapshot and a resume are read from the store (async on any backend); live events that arrive
    // meanwhile wait behind them, so a tab always gets its snapshot first (it dedupes payments by seq).
    let held: Array<{ chunk: string | Uint8Array; seq?: number }> | null = [];
    const emit = (chunk: string | Uint8Array, seq?: number) => (held ? held.push({ chunk, seq }) : send(chunk));
    // Live events are shared objects: encoded once for all clients.
    const onPayment = (payment: Payment) => emit(sharedSseEvent("payment", payment, payment.seq), payment.seq);
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
      // Payments the resume sent: the tail may hand the same ones over while it runs.
      const resumed = new Set<number>();
      try {
        send(sseEvent("snapshot", await dashboardSnapshot()));
        send(sseEvent("alarms", live.alarmState()));
        send(sseEvent("alerts", live.alertsState()));
        if (resumeFrom !== null) {
          for (let cursor = resumeFrom; ; ) {
            const page = await live.payments.since(cursor);
            for (const payment of page) {
              resumed.add(payment.seq);
              send(sharedSseEvent("payment", payment, payment.seq));
              cursor = payment.seq;
            }
            if (page.length < RESUME_PAGE) break;
          }
        }
      } catch (error) {
        partLogger("api").error({ err: error }, "[events] could not read the snapshot for a live stream");
      } finally {
        const waiting = held ?? [];
        held = null;
        for (const { chunk, seq } of waiting) if (seq === undefined || !resumed.has(seq)) send(chunk);
      }
    })();
    return unsubscribe;
  });
});
