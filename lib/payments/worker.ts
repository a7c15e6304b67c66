/**
 * `npm run worker`: the payment service on its own, to scale out beside (or
 * instead of) the consumer inside the web process. Run with
 * `--conditions=react-server` because lib/process is server-only.
 */
import { ConfigError, env as readEnv } from "../config/env";
import { partLogger } from "../observability/logger";
import { serveMetrics } from "../observability/metrics-http";
import { installShutdown } from "../shutdown";

async function main() {
  const { startWarren, log } = await import("../process");
  const workerLog = partLogger("worker");
  const { startTracingFromEnv, stopTracing } = await import("../tracing/setup");
  let warren: ReturnType<typeof startWarren>;
  try {
    // The same OpenTelemetry setup as the web process (lib/tracing/setup.ts); off without an endpoint.
    const tracing = await startTracingFromEnv(readEnv(), "worker");
    if (tracing)
      workerLog.info(`[worker] exporting traces to ${endpointForLog(tracing.url)} as ${tracing.serviceName}`);
    warren = startWarren("worker");
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === "ConfigError") {
      workerLog.fatal((error as Error).message);
      process.exit(2);
    }
    throw error;
  }
  const { metrics, env } = warren;
  // Metrics are an aid, not the job: a taken port is reported and the worker pays on. A port taken
  // by another worker on this machine (the second `npm run worker` finds 9464 taken) gives way to a
  // free one, named in the log, so that every worker still has its metrics.
  const token = env.WARREN_METRICS_TOKEN;
  const serve = async () => {
    try {
      const bound = await serveMetrics(metrics, { port: env.WORKER_METRICS_PORT, token });
      workerLog.info(`[worker] metrics on http://0.0.0.0:${bound.port}/metrics`);
      return bound.server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || env.WORKER_METRICS_PORT === 0) throw error;
      const bound = await serveMetrics(metrics, { port: 0, token });
      workerLog.warn(
        `[worker] metrics port ${env.WORKER_METRICS_PORT} is taken (another worker on this machine?): metrics on http://0.0.0.0:${bound.port}/metrics instead; give each worker its own WORKER_METRICS_PORT for a scraper`,
      );
      return bound.server;
    }
  };
  const served = await serve().catch((error: Error) => {
    workerLog.error(`[worker] no metrics endpoint on port ${env.WORKER_METRICS_PORT}: ${error.message}`);
    return null;
  });
  installShutdown(async () => {
    served?.close();
    await warren.close();
    await stopTracing();
  }, log);
}

void main();

/** The OTLP endpoint as a log line may show it: scheme, host and path; never a user, password or query. */
function endpointForLog(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(an unparseable URL)";
  }
}
