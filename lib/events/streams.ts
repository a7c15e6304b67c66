import { env } from "../config/env";
import { currentWarren } from "../process/current";
import { SSE_HEADERS, sseEvent } from "./sse";

/** Most streams one client may hold open at once; a browser tab needs one (WARREN_MAX_SSE_PER_CLIENT). */
export const maxStreamsPerClient = () => env().WARREN_MAX_SSE_PER_CLIENT;
/** And in all: X-Forwarded-For can be forged where no proxy sets it, so the total is capped too. */
export const maxStreamsTotal = () => env().WARREN_MAX_SSE_TOTAL;

/**
 * Open SSE streams of this process (held by lib/process, one per process):
 * counted per client for the connection cap, and ended together on shutdown.
 */
export class StreamRegistry {
  private readonly closers = new Set<() => void>();
  private readonly perClient = new Map<string, number>();

  /**
   * Reserves a stream slot for `client`, or returns null when it already holds
   * the maximum. The returned release function is idempotent.
   */
  reserve(client: string): (() => void) | null {
    const { perClient } = this;
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

  track(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** Ends every open stream (the client's EventSource reconnects, to this or another instance). */
  endAll(): number {
    const all = [...this.closers];
    this.closers.clear();
    for (const close of all) close();
    return all.length;
  }
}

function processStreams(): StreamRegistry {
  const { streams } = currentWarren();
  if (!streams) throw new Error("this process serves no live streams");
  return streams;
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
  const streams = processStreams();
  const release = streams.reserve(clientKey(request));
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
      const untrack = streams.track(() => {
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
