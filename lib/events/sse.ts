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
