/**
 * Whether this process exports traces. One globalThis slot (like lib/process/current.ts):
 * Next.js loads instrumentation and route handlers in separate module graphs, and both
 * must see the one tracer provider that lib/tracing/setup.ts started.
 *
 * Every span helper (lib/tracing/spans.ts) asks `tracingOn()` first and does nothing
 * else when it is false: with OTEL_EXPORTER_OTLP_ENDPOINT unset, no SDK is loaded and
 * the hot paths pay one property read.
 */
export interface TracingHandle {
  /** The collector's traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  readonly url: string;
  readonly serviceName: string;
  /** Sends every span ended so far. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting and unregisters the global provider. */
  shutdown(): Promise<void>;
}

const slot = globalThis as typeof globalThis & { __warrenTracing?: TracingHandle };

export function tracingOn(): boolean {
  return slot.__warrenTracing !== undefined;
}

export function currentTracing(): TracingHandle | null {
  return slot.__warrenTracing ?? null;
}

export function holdTracing(handle: TracingHandle | undefined): void {
  slot.__warrenTracing = handle;
}
