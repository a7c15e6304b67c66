import { env } from "../config/env";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { SSE_HEADERS, sseEvent } from "./sse";

/** Most streams one client may hold open at once; a browser tab needs one (WARREN_MAX_SSE_PER_CLIENT). */
export const maxStreamsPerClient = () => env().WARREN_MAX_SSE_PER_CLIENT;
/** And in all (WARREN_MAX_SSE_TOTAL). */
export const maxStreamsTotal = () => env().WARREN_MAX_SSE_TOTAL;

export interface StreamClient {
  /** From clientAddress(): forwarding headers count only from trusted proxies. */
  client: string;
  /** A signed-in person is never refused while anonymous streams hold slots. */
  signedIn: boolean;
}

interface OpenStream extends StreamClient {
  /** Ends the stream (sends `shutdown` first, so the client reconnects later). */
  close: () => void;
}

/**
 * Open SSE streams of this process (held by lib/process, one per process):
 * counted per client for the connection cap, and ended together on shutdown.
 */
export class StreamRegistry {
  /** In opening order: the first anonymous entry is the oldest one to shed. */
  private readonly open = new Set<OpenStream>();
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly perClientCap = maxStreamsPerClient,
    private readonly totalCap = maxStreamsTotal,
  ) {}

  /**
   * Takes a stream slot, fairly: first the per-client cap (429 for that client
   * alone); then, when the process is full, a signed-in client sheds the oldest
   * anonymous stream (which reconnects later), and only an anonymous client, or
   * a signed-in one when every slot is signed in, is refused. Returns the
   * slot's release function (idempotent) or throws a 429.
   */
  reserve(who: StreamClient, close: () => void): () => void {
    const { open, perClient } = this;
    const held = perClient.get(who.client) ?? 0;
    if (held >= this.perClientCap()) {
      throw WarrenError.tooManyRequests(
        `At most ${this.perClientCap()} live streams per client; close a tab and retry.`,
        10,
      );
    }
    if (open.size >= this.totalCap()) {
      const oldestAnonymous = who.signedIn ? [...open].find((s) => !s.signedIn) : undefined;
      if (!oldestAnonymous) {
        throw WarrenError.tooManyRequests("Warren serves as many live streams as it can; retry in a moment.", 10);
      }
      oldestAnonymous.close();
    }
    const entry: OpenStream = { ...who, close };
    open.add(entry);
    perClient.set(who.client, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open.delete(entry);
      const left = (perClient.get(who.client) ?? 1) - 1;
      if (left <= 0) perClient.delete(who.client);
      else perClient.set(who.client, left);
    };
  }

  /** Ends every open stream (the client's EventSource reconnects, to this or another instance). */
  endAll(): number {
    const all = [...this.open];
    for (const stream of all) stream.close();
    return all.length;
  }

  get size(): number {
    return this.open.size;
  }
}

function processStreams(): StreamRegistry {
  const { streams } = currentWarren();
  if (!streams) throw new Error("this process serves no live streams");
  return streams;
}

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

/**
 * A live SSE response: takes a stream slot for the client (429 when it has none left),
 * sends `retry`, then lets `open` send and subscribe (it returns its unsubscribe), keeps the
 * connection alive with heartbeats, and ends the stream once, whichever comes first: the
 * client leaves, a write fails, the slot is shed for a signed-in person, or the process
 * shuts down (after a `shutdown` event, so the client's EventSource reconnects).
 */
export function liveStream(
  request: Request,
  who: StreamClient,
  open: (send: (chunk: string | Uint8Array) => void) => () => void,
  registry: StreamRegistry = processStreams(),
): Response {
  let shutdown = () => {};
  const release = registry.reserve(who, () => shutdown());
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
      shutdown = () => {
        send(sseEvent("shutdown", { reconnectInMs: 2000 }));
        cleanup();
      };
      let unsubscribe = () => {};
      cleanup = () => {
        if (closed) return;
        closed = true;
        release();
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
      // A client that left before the handler got here (its signal aborted already) fires no
      // abort event: without this its slot stayed taken for as long as the process ran.
      if (request.signal.aborted) cleanup();
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
