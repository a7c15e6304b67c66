import type { Env } from "../config/env";
import { currentTracing, holdTracing, type TracingHandle } from "./state";

export interface TracingOptions {
  /** The OTLP/HTTP collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT); `/v1/traces` is added. */
  endpoint: string;
  serviceName: string;
  /** How long spans wait to be sent in a batch (the SDK's default is 5 s; tests use less). */
  scheduledDelayMs?: number;
}

/**
 * Starts exporting this process's spans over OTLP/HTTP (JSON) and registers the
 * global tracer provider, the AsyncLocalStorage context manager and the W3C
 * trace-context propagator. Next.js creates its own HTTP server spans through
 * that global provider (continuing an incoming `traceparent`); Warren's spans
 * (lib/tracing/spans.ts) hang under them.
 *
 * The SDK is imported here, on demand: a process without an endpoint never
 * loads it. A second call (Next's `register()` may run twice) returns the first handle.
 */
export async function startTracing({
  endpoint,
  serviceName,
  scheduledDelayMs,
}: TracingOptions): Promise<TracingHandle> {
  const running = currentTracing();
  if (running) return running;
  const [
    { context, propagation, trace },
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    resources,
  ] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  // Two starts racing through the imports above: the first to get here wins.
  const raced = currentTracing();
  if (raced) return raced;
  const url = `${endpoint.replace(/\/+$/, "")}/v1/traces`;
  const exporter = new OTLPTraceExporter({ url });
  const provider = new NodeTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: scheduledDelayMs ?? 1000, maxQueueSize: 8192 }),
    ],
  });
  provider.register();
  let stopped: Promise<void> | null = null;
  const handle: TracingHandle = {
    url,
    serviceName,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= (async () => {
        try {
          await provider.shutdown();
        } finally {
          // Back to the no-op API, so a later start (tests) registers afresh.
          trace.disable();
          context.disable();
          propagation.disable();
          if (currentTracing() === handle) holdTracing(undefined);
        }
      })();
      return stopped;
    },
  };
  holdTracing(handle);
  return handle;
}

/**
 * The process's tracing from its configuration: off (null, nothing imported)
 * unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export async function startTracingFromEnv(
  config: Pick<Env, "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_SERVICE_NAME">,
  role: "web" | "worker",
): Promise<TracingHandle | null> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  return startTracing({ endpoint, serviceName: config.OTEL_SERVICE_NAME ?? `warren-${role}` });
}

/** Sends what is left and stops (at shutdown, after the process's parts closed). A no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  await currentTracing()?.shutdown();
}
