/**
 * `npm run worker`: the payment service on its own, to scale out beside (or
 * instead of) the consumer inside the web process. Run with
 * `--conditions=react-server` because lib/runtime is server-only.
 */
import { ConfigError } from "../config/env";
import { installShutdown } from "../shutdown";

async function main() {
  const runtime = await import("../runtime");
  try {
    runtime.startPaymentService("worker");
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === "ConfigError") {
      console.error((error as Error).message);
      process.exit(2);
    }
    throw error;
  }
  installShutdown(runtime.shutdownRuntime, runtime.log);
}

void main();
