export interface SseEvent {
  id: string | null;
  event: string;
  data: unknown;
}

/**
 * Reads a text/event-stream body as a browser's EventSource would (id, event, one-line
 * JSON data), collecting every event until closed.
 */
export function readSse(body: ReadableStream<Uint8Array>, abort: AbortController) {
  const events: SseEvent[] = [];
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      text += decoder.decode(value, { stream: true });
      let end = text.indexOf("\n\n");
      while (end >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const field = (name: string) =>
          block
            .split("\n")
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2) ?? null;
        const event = field("event");
        if (event) events.push({ id: field("id"), event, data: JSON.parse(field("data") ?? "null") });
        end = text.indexOf("\n\n");
      }
    }
  })();
  return {
    events,
    /** The payment events so far, each with its event id. */
    payments: <P extends object>() =>
      events.filter((e) => e.event === "payment").map((e) => ({ id: e.id, ...(e.data as P) })),
    async close() {
      abort.abort();
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

/** A live stream from a running server (GET /api/events). */
export async function openEventStream(base: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/events`, { headers, signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${base}/api/events: ${response.status}`);
  return readSse(response.body, abort);
}
