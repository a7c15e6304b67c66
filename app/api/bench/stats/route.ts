import { benchEnabled, notFound } from "@/lib/bench-mode";
import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/**
 * Counters the benchmark reads to prove that broker and management calls do
 * not grow with the number of SSE clients, and the server's own memory.
 */
export function GET() {
  if (!benchEnabled()) return notFound();
  const { sampler, relay, runtime } = getLive();
  const memory = process.memoryUsage();
  return Response.json({
    pid: process.pid,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    samplesTaken: sampler.samplesTaken,
    sampledQueues: sampler.latest()?.queues.length ?? 0,
    managementCalls: runtime.management.calls,
    sseClients: sampler.listenerCount("sample"),
    relayed: relay.relayed,
    consumer: runtime.consumer?.stats ?? null,
  });
}
