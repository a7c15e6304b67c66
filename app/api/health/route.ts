import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/** Liveness for Playwright and scripts; the broker's state is reported, not required. */
export function GET() {
  const { runtime } = getLive();
  return Response.json({
    ok: true,
    broker: runtime.publishLink.state,
    consumer: runtime.consumer?.stats.running ?? false,
    queue: runtime.env.ORDER_QUEUE,
  });
}
