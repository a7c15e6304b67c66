/**
 * Starts the payment consumer inside the web process. `register()` may run
 * more than once and in its own module graph, so the work is guarded on
 * globalThis (in lib/runtime) and nothing long is awaited here.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/config/env");
  const config = env(); // fail at start, naming the variable, if the environment is wrong
  const runtime = await import("./lib/runtime");
  if (config.WARREN_CONSUMER) runtime.startPaymentService("web");
  runtime.startOrderRelay("web");
  runtime.getLive();
  const { installShutdown } = await import("./lib/shutdown");
  installShutdown(runtime.shutdownRuntime, runtime.log, { hostExitMs: 3000 });
}
