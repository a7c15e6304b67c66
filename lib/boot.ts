import { ConfigError, env } from "./config/env";
import { partLogger } from "./observability/logger";
import { installShutdown } from "./shutdown";

/** Node-side start-up of a web process: config check, the process's parts (lib/process), shutdown hooks. */
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
  // Before the first request, so Next's own HTTP spans are exported too; off (nothing loaded) without an endpoint.
  const { startTracingFromEnv, stopTracing } = await import("./tracing/setup");
  await startTracingFromEnv(config, "web");
  const { findWarren, startWarren, log } = await import("./process");
  // register() ran before (in another module graph): that run built the process and its hooks.
  if (findWarren()) return;
  const warren = startWarren("web");
  installShutdown(
    async () => {
      await warren.close();
      // Last: the spans of the shutdown itself (drained deliveries, final publishes) go out too.
      await stopTracing();
    },
    log,
    { hostExitMs: 3000 },
  );
}
