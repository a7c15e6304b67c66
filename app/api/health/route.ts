import { readiness } from "@/lib/health/readiness";
import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/**
 * Readiness that tells the truth: 200 only while this process can publish
 * and (where it runs a consumer) pay; 503 otherwise, with what cannot work,
 * why, and for how long, so an orchestrator can drain or restart it.
 */
export function GET() {
  const { runtime } = getLive();
  const consumer = runtime.consumer;
  const state = readiness({
    publishLink: runtime.publishLink.status(),
    consumeLink: runtime.consumeLink.status(),
    publishChannel: runtime.publisher.channelState,
    consumer: consumer ? consumer.status() : null,
    unroutable: runtime.publisher.lastUnroutable,
  });
  return Response.json(
    {
      ok: state.ready,
      ready: state.ready,
      broker: runtime.publishLink.state,
      consumer: consumer?.stats.running ?? false,
      consumerState: consumer ? consumer.status() : null,
      notReady: state.notReady,
      queue: runtime.env.ORDER_QUEUE,
    },
    { status: state.ready ? 200 : 503 },
  );
}
