/** SIGTERM/SIGINT: stop taking work, settle in-flight messages, close channels, then connections. */
export function installShutdown(shutdown: () => Promise<void>, log: (message: string) => void) {
  const g = globalThis as typeof globalThis & { __warrenShutdownInstalled?: boolean };
  if (g.__warrenShutdownInstalled) return;
  g.__warrenShutdownInstalled = true;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`[warren] ${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    shutdown()
      .catch((error: Error) => log(`[warren] shutdown error: ${error.message}`))
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
