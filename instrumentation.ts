/**
 * Builds this web process's Warren (lib/process: publisher, outbox relay,
 * consumer, live sampler, payment feed, history, health, audit). `register()`
 * may run more than once and in its own module graph, so the process is held
 * in one globalThis slot, and nothing long is awaited here.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First, before any request: per-client limits need the socket's real address.
    const { installPeerAddress } = await import("./lib/http/peer");
    installPeerAddress();
    const { boot } = await import("./lib/boot");
    await boot();
  }
}
