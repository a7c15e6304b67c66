import assert from "node:assert/strict";
import { register } from "node:module";
import { describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { context, propagation, trace } from "@opentelemetry/api";
import { ConfigError, parseEnv } from "../../lib/config/env";
import { startTracingFromEnv } from "../../lib/tracing/setup";
import { activeTraceparent, startBatchTrace, startPublishSpan, withAcceptSpan } from "../../lib/tracing/spans";
import { currentTracing, tracingOn } from "../../lib/tracing/state";
import { traceIdOf, traceViewerUrl } from "../../lib/tracing/viewer";

/** Every specifier this process resolves from now on, in order. */
function recordResolutions() {
  const { port1, port2 } = new MessageChannel();
  const seen: string[] = [];
  port1.on("message", (specifier: string) => seen.push(specifier));
  port1.unref();
  register("../helpers/record-resolve.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
  return {
    seen,
    /** Resolves once every resolution made before the call has been reported (the port is FIFO). */
    async settled(): Promise<void> {
      const marker = `data:text/javascript,export default ${Math.random()}`;
      await import(marker);
      for (let i = 0; i < 1000 && !seen.includes(marker); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(seen.includes(marker), "the resolve hook reports");
    },
  };
}

const SDK = /^@opentelemetry\/(sdk-|exporter-|resources)/;

describe("tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT): nothing is started", () => {
  it("loads no SDK, registers no provider, and every span helper is a no-op; with an endpoint the SDK starts", async () => {
    const resolutions = recordResolutions();
    const config = parseEnv({});
    assert.equal(config.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(await startTracingFromEnv(config, "web"), null);
    assert.equal(await startTracingFromEnv(config, "worker"), null);
    await resolutions.settled();
    assert.deepEqual(
      resolutions.seen.filter((s) => SDK.test(s)),
      [],
      "no OpenTelemetry SDK package is even imported",
    );
    assert.equal(tracingOn(), false);
    assert.equal(currentTracing(), null);

    // The global API is the no-op one: spans do not record, no context manager, no propagator.
    const span = trace.getTracer("probe").startSpan("probe");
    assert.equal(span.isRecording(), false);
    span.end();
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    assert.deepEqual(carrier, {});

    // Warren's helpers do nothing: no traceparent stored, no headers added, no spans per delivery.
    assert.equal(activeTraceparent(), null);
    assert.equal(startPublishSpan(null, { exchange: "orders", routingKey: "q", messageId: "m" }), null);
    assert.equal(
      startBatchTrace("q", [{ headers: { traceparent: "x" }, messageId: "m", redelivered: false, receivedAt: 1 }]),
      null,
    );
    const headers = new Headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    assert.equal(await withAcceptSpan(headers, {}, async (s) => s), null);

    // The control: the same call with an endpoint does load and start the SDK (so the check above can fail).
    const tracing = await startTracingFromEnv(parseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" }), "web");
    try {
      assert.ok(tracing);
      assert.equal(tracing.url, "http://127.0.0.1:9/v1/traces");
      assert.equal(tracing.serviceName, "warren-web");
      await resolutions.settled();
      assert.ok(resolutions.seen.some((s) => s === "@opentelemetry/sdk-trace-node"));
      assert.equal(tracingOn(), true);
      assert.equal(trace.getTracer("probe").startSpan("probe").isRecording(), true);
    } finally {
      await tracing?.shutdown();
    }
    assert.equal(tracingOn(), false);
    assert.equal(trace.getTracer("probe").startSpan("probe").isRecording(), false);
  });
});

describe("tracing configuration and the trace viewer link", () => {
  it("names the variable of a bad endpoint, service name or viewer URL", () => {
    const problem = (source: Record<string, string>) => {
      try {
        parseEnv(source);
        return null;
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
      }
    };
    assert.match(
      problem({ OTEL_EXPORTER_OTLP_ENDPOINT: "127.0.0.1:4318" }) ?? "",
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected/,
    );
    assert.match(problem({ OTEL_SERVICE_NAME: "my service" }) ?? "", /OTEL_SERVICE_NAME: expected/);
    assert.match(
      problem({ WARREN_TRACE_URL: "http://jaeger:16686/trace/" }) ?? "",
      /WARREN_TRACE_URL: expected a URL containing \{traceId\}/,
    );
    assert.match(problem({ WARREN_TRACE_URL: "javascript:alert(1)//{traceId}" }) ?? "", /WARREN_TRACE_URL: expected/);
    // A credential in the endpoint is not echoed back.
    assert.doesNotMatch(problem({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://u:secret@host" }) ?? "", /secret/);
    const config = parseEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      OTEL_SERVICE_NAME: "warren-eu-1",
      WARREN_TRACE_URL: "http://127.0.0.1:16686/trace/{traceId}",
    });
    assert.equal(config.OTEL_SERVICE_NAME, "warren-eu-1");
    // A Grafana Explore URL (Tempo) has braces, quotes and commas around the id.
    const grafana = 'https://grafana/explore?left={"datasource":"tempo","queries":[{"query":"{traceId}"}]}';
    assert.equal(parseEnv({ WARREN_TRACE_URL: grafana }).WARREN_TRACE_URL, grafana);
  });

  it("links a well-formed trace id into the viewer's URL, and nothing else", () => {
    const id = "4bf92f3577b34da6a3ce929d0e0e4736";
    assert.equal(traceIdOf(`00-${id}-00f067aa0ba902b7-01`), id);
    assert.equal(traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), null);
    assert.equal(traceIdOf("garbage"), null);
    assert.equal(traceIdOf(null), null);
    assert.equal(traceViewerUrl("http://jaeger:16686/trace/{traceId}", id), `http://jaeger:16686/trace/${id}`);
    assert.equal(
      traceViewerUrl("https://grafana/explore?q={traceId}&again={traceId}", id),
      `https://grafana/explore?q=${id}&again=${id}`,
    );
    assert.equal(traceViewerUrl(undefined, id), null);
    assert.equal(traceViewerUrl("http://jaeger/trace/{traceId}", null), null);
    assert.equal(traceViewerUrl("http://jaeger/trace/{traceId}", '"><script>'), null);
  });
});
