import { ConfigError, env } from "./config/env";
import { partLogger } from "./observability/logger";
import { installShutdown } from "./shutdown";

/** Node-side start-up of a web process: config check, consumer, live sampler, shutdown hooks. */
export async function boot(): Promise<void> {
  let config: ReturnType<typeof env>;
  try {
    config = env();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Fail at start, naming the variable and what it expects, rather than serve a broken app.
    partLogger("config").fatal(`${error.message}\nWarren did not start. Fix the variable(s) above and run it again.`);
    process.exit(2);
  }
  const runtime = await import("./runtime");
  if (config.WARREN_CONSUMER) runtime.startPaymentService("web");
  runtime.startOrderRelay("web");
  runtime.getLive();
  // Queue history (1 h at 5 s) is recorded from the start, so the charts have a past.
  (await import("./queues/service")).queueTools();
  installShutdown(runtime.shutdownRuntime, runtime.log, { hostExitMs: 3000 });
}
