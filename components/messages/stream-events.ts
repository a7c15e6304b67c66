/** The result of one streamed operation as the page sees it. */
export type StreamOutcome = { ok: true } | { ok: false; cancelled: boolean; message: string; status?: number };

/**
 * POSTs JSON and hands each NDJSON line of the answer to `onEvent` as it arrives. Aborting the
 * signal closes the response, which the server takes as cancel (it stops reading and requeues).
 */
export async function streamEvents<E>(
  url: string,
  body: unknown,
  onEvent: (event: E) => void,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok || !res.body) {
      const answer = (await res.json().catch(() => null)) as { message?: string } | null;
      return { ok: false, cancelled: false, status: res.status, message: answer?.message ?? `HTTP ${res.status}` };
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += value;
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) onEvent(JSON.parse(line) as E);
        newline = buffered.indexOf("\n");
      }
    }
    return { ok: true };
  } catch (error) {
    if (signal.aborted) return { ok: false, cancelled: true, message: "Cancelled." };
    return { ok: false, cancelled: false, message: (error as Error).message || "The connection failed." };
  }
}
