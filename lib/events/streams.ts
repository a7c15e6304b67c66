import { env } from "../config/env";

/**
 * Open SSE streams of this process, on globalThis (route handlers and
 * instrumentation live in separate module graphs): counted per client for
 * the connection cap, and ended together on shutdown.
 */
interface StreamRegistry {
  closers: Set<() => void>;
  perClient: Map<string, number>;
}

const store = globalThis as typeof globalThis & { __warrenStreams?: StreamRegistry };

function registry(): StreamRegistry {
  store.__warrenStreams ??= { closers: new Set(), perClient: new Map() };
  return store.__warrenStreams;
}

/** Most streams one client may hold open at once; a browser tab needs one (WARREN_MAX_SSE_PER_CLIENT). */
export const maxStreamsPerClient = () => env().WARREN_MAX_SSE_PER_CLIENT;
/** And in all: X-Forwarded-For can be forged where no proxy sets it, so the total is capped too. */
export const maxStreamsTotal = () => env().WARREN_MAX_SSE_TOTAL;

/**
 * Reserves a stream slot for `client`, or returns null when it already holds
 * the maximum. The returned release function is idempotent.
 */
export function reserveStream(client: string): (() => void) | null {
  const { perClient } = registry();
  const open = perClient.get(client) ?? 0;
  let total = 0;
  for (const n of perClient.values()) total += n;
  if (open >= maxStreamsPerClient() || total >= maxStreamsTotal()) return null;
  perClient.set(client, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (perClient.get(client) ?? 1) - 1;
    if (left <= 0) perClient.delete(client);
    else perClient.set(client, left);
  };
}

export function trackStream(close: () => void): () => void {
  const { closers } = registry();
  closers.add(close);
  return () => closers.delete(close);
}

/** Ends every open stream (the client's EventSource reconnects, to this or another instance). */
export function endAllStreams(): number {
  const { closers } = registry();
  const all = [...closers];
  closers.clear();
  for (const close of all) close();
  return all.length;
}

/**
 * Who the client is, for the cap. Behind a proxy that sets it, the first
 * X-Forwarded-For hop; otherwise every client without it shares one key,
 * which is the conservative choice (Next's route handlers do not expose the
 * socket's address).
 */
export function clientKey(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (forwarded) return forwarded;
  return request.headers.get("x-real-ip")?.trim() || "direct";
}
