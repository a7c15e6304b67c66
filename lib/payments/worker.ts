/**
 * `npm run worker`: the payment service on its own, to scale out beside (or
 * instead of) the consumer inside the web process. Run with
 * `--conditions=react-server` because lib/process is server-only.
 */
import { ConfigError } from "../config/env";
import { installShutdown } from "../shutdown";

async function main() {
  const { startWarren, log } = await import("../process");
  let close: () => Promise<void>;
  try {
    close = startWarren("worker").close;
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === "ConfigError") {
      console.error((error as Error).message);
      process.exit(2);
    }
    throw error;
  }
  installShutdown(close, log);
}

void main();
