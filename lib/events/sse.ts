/** Formats one server-sent event. Data is JSON on a single line. */
export function sseEvent(event: string, data: unknown, id?: number | string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

/** Reads Last-Event-ID (header on reconnect, or ?lastEventId= on a first connect). */
export function lastEventIdOf(request: Request): number | null {
  const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

const encoder = new TextEncoder();
const encodedOnce = new WeakMap<object, Uint8Array>();

/**
 * The bytes of an event whose data object is shared by every client (one
 * payment, one queue sample): serialised and encoded once, not once per
 * client, so fan-out to 1,000 dashboards costs 1,000 enqueues, not 1,000
 * JSON.stringify calls.
 */
export function sharedSseEvent(event: string, data: object, id?: number | string): Uint8Array {
  let bytes = encodedOnce.get(data);
  if (!bytes) {
    bytes = encoder.encode(sseEvent(event, data, id));
    encodedOnce.set(data, bytes);
  }
  return bytes;
}
