import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { benchEnabled, notFound } from "@/lib/bench-mode";
import { getLive } from "@/lib/runtime";

export const dynamic = "force-dynamic";

const store = globalThis as typeof globalThis & { __warrenBenchLoop?: IntervalHistogram };

/**
 * Counters the benchmark reads to prove that broker and management calls do
 * not grow with the number of SSE clients, the server's own memory, and how
 * long its event loop stalled (`?reset=1` starts a new window).
 */
export function GET(request: Request) {
  if (!benchEnabled()) return notFound();
  if (!store.__warrenBenchLoop) {
    store.__warrenBenchLoop = monitorEventLoopDelay({ resolution: 10 });
    store.__warrenBenchLoop.enable();
  }
  const loop = store.__warrenBenchLoop;
  const loopDelay = {
    p50: loop.percentile(50) / 1e6,
    p99: loop.percentile(99) / 1e6,
    max: loop.max / 1e6,
  };
  if (new URL(request.url).searchParams.get("reset") === "1") loop.reset();
  const { sampler, relay, runtime } = getLive();
  const memory = process.memoryUsage();
  return Response.json({
    pid: process.pid,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    loopDelayMs: loopDelay,
    samplesTaken: sampler.samplesTaken,
    sampledQueues: sampler.latest()?.queues.length ?? 0,
    managementCalls: runtime.management.calls,
    sseClients: sampler.listenerCount("sample"),
    relayed: relay.relayed,
    consumer: runtime.consumer?.stats ?? null,
  });
}
