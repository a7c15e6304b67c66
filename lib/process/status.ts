import "server-only";
import { currentWarren } from "./current";

/** `/api/health`: the process is up; the broker's and consumer's states are reported, not required. */
export function processStatus() {
  const { publishLink, consumer, env } = currentWarren();
  return {
    ok: true,
    broker: publishLink.state,
    consumer: consumer?.stats.running ?? false,
    queue: env.ORDER_QUEUE,
  };
}

/**
 * The bench's counters: broker and management calls must not grow with the
 * number of SSE clients; the event loop's delay since the last reset.
 */
export function benchCounters({ reset = false } = {}) {
  const { live, management, consumer, loopDelay } = currentWarren();
  const loop = loopDelay
    ? { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
    : null;
  if (reset) loopDelay?.reset();
  const memory = process.memoryUsage();
  return {
    pid: process.pid,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    loopDelayMs: loop,
    samplesTaken: live?.sampler.samplesTaken ?? 0,
    sampledQueues: live?.sampler.latest()?.queues.length ?? 0,
    managementCalls: management.calls,
    sseClients: live?.sampler.listenerCount("sample") ?? 0,
    relayed: live?.feed.relayed ?? 0,
    consumer: consumer?.stats ?? null,
  };
}
