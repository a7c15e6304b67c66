import { env } from "../config/env";
import { SSE_HEADERS, sseEvent } from "./sse";

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

/** Live streams this process serves now. */
export function openStreamCount(): number {
  return registry().closers.size;
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

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

/**
 * A live SSE response: takes a stream slot for the client (429 when it has none left),
 * sends `retry`, then lets `open` send and subscribe (it returns its unsubscribe), keeps the
 * connection alive with heartbeats, and ends the stream once, whichever comes first: the
 * client leaves, a write fails, or the process shuts down (after a `shutdown` event, so the
 * client's EventSource reconnects).
 */
export function liveStream(
  request: Request,
  open: (send: (chunk: string | Uint8Array) => void) => () => void,
): Response {
  const release = reserveStream(clientKey(request));
  if (!release) {
    return Response.json(
      {
        error: "too_many_streams",
        message: `At most ${maxStreamsPerClient()} live streams per client; close a tab and retry.`,
      },
      { status: 429, headers: { "Retry-After": "10" } },
    );
  }
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (chunk: string | Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        } catch {
          cleanup();
        }
      };
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
      const untrack = trackStream(() => {
        send(sseEvent("shutdown", { reconnectInMs: 2000 }));
        cleanup();
      });
      let unsubscribe = () => {};
      cleanup = () => {
        if (closed) return;
        closed = true;
        release();
        untrack();
        clearInterval(heartbeat);
        unsubscribe();
        request.signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      send("retry: 2000\n\n");
      try {
        unsubscribe = open(send);
      } catch (error) {
        cleanup();
        throw error;
      }
      request.signal.addEventListener("abort", cleanup);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
