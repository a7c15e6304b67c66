/**
 * SIGTERM/SIGINT: stop taking work, settle in-flight messages, end SSE
 * streams, close channels, then connections.
 *
 * `next start` has its own SIGTERM handler: it closes the HTTP server (which
 * waits for open requests, SSE streams included) and then calls
 * `process.exit(143)` — possibly before Warren has acked its last batch. So
 * while Warren shuts down, an exit requested by anyone else is held back and
 * carried out (with its exit code) once Warren is done, or after `forceMs`.
 */
export function installShutdown(
  shutdown: () => Promise<void>,
  log: (message: string) => void,
  {
    forceMs = 10_000,
    hostExitMs = 0,
  }: {
    forceMs?: number;
    /** Inside `next start`: how long to wait, after Warren is done, for Next to finish its requests and exit. */
    hostExitMs?: number;
  } = {},
) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`[warren] ${signal}: shutting down`);
    const realExit = process.exit.bind(process);
    let requestedCode: number | undefined;
    let done = false;
    process.exit = ((code?: number | string | null) => {
      requestedCode ??= typeof code === "number" ? code : 0;
      if (done) realExit(requestedCode);
    }) as typeof process.exit;
    const force = setTimeout(() => {
      log("[warren] shutdown took too long; exiting");
      realExit(1);
    }, forceMs);
    force.unref();
    shutdown()
      .then(
        () => log("[warren] shutdown complete"),
        (error: Error) => log(`[warren] shutdown error: ${error.message}`),
      )
      .finally(() => {
        done = true;
        if (requestedCode !== undefined) realExit(requestedCode);
        // Let the HTTP server answer the requests it was finishing (Next exits when it has), then leave.
        else setTimeout(() => realExit(requestedCode ?? 0), hostExitMs);
      });
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
