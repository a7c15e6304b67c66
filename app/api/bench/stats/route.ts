import { benchEnabled, notFound } from "@/lib/bench-mode";
import { benchCounters } from "@/lib/process/status";

export const dynamic = "force-dynamic";

/**
 * Counters the benchmark reads to prove that broker and management calls do
 * not grow with the number of SSE clients, the server's own memory, and how
 * long its event loop stalled (`?reset=1` starts a new window).
 */
export function GET(request: Request) {
  if (!benchEnabled()) return notFound();
  return Response.json(benchCounters({ reset: new URL(request.url).searchParams.get("reset") === "1" }));
}
