import { stringify } from "csv-stringify/sync";

/**
 * Streaming responses: NDJSON progress for search and move, JSON Lines and
 * CSV for downloads. Rows are encoded and sent as they are produced (pull:
 * the next is read only when the client took the last), never gathered in
 * memory. When the client goes away (or presses cancel), the source is
 * aborted and its generator closed, so its finally block runs (requeueing
 * whatever a read was holding).
 */

export type ExportFormat = "jsonl" | "csv";

const encoder = new TextEncoder();

/** Pulls a generator into a byte stream; `abort` is called when the reader cancels or the request ends. */
export function pullStream<T>(
  source: AsyncGenerator<T>,
  encode: (item: T) => string,
  abort: AbortController,
  request?: Request,
): ReadableStream<Uint8Array> {
  const stop = () => {
    abort.abort();
    // Closing the generator runs its finally (a generator suspended at a yield never would by itself).
    void source.return(undefined).catch(() => {});
  };
  request?.signal.addEventListener("abort", stop, { once: true });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await source.next();
        if (next.done) {
          controller.close();
          return;
        }
        const text = encode(next.value);
        if (text) controller.enqueue(encoder.encode(text));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel: stop,
  });
}

export function ndjsonResponse<T>(source: AsyncGenerator<T>, abort: AbortController, request: Request): Response {
  return new Response(
    pullStream(source, (event) => `${JSON.stringify(event)}\n`, abort, request),
    {
      headers: {
        "Content-Type": "application/x-ndjson; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
      },
    },
  );
}

/** A CSV cell: objects and arrays as JSON text, null/undefined as empty. */
function cell(value: unknown): string | number | boolean {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}

/**
 * csv-stringify quotes a field holding the record delimiter (CRLF) but not a bare LF or CR;
 * spreadsheet apps and line-based readers split rows on those, so quote them too.
 */
// escape_formulas: a cell starting with = + - @ or a tab gets a leading ' so a spreadsheet shows it as text
// instead of running it (order items, failed sign-in names and message bodies come from outside).
const CSV_OPTIONS = { eof: true, record_delimiter: "\r\n", quoted_match: /[\r\n]/, escape_formulas: true } as const;

/** Encodes rows as JSON Lines or CSV (RFC 4180 quoting by csv-stringify; a header row first). */
export function rowEncoder(format: ExportFormat, columns: readonly string[]): (row: Record<string, unknown>) => string {
  if (format === "jsonl") return (row) => `${JSON.stringify(row)}\n`;
  let first = true;
  return (row) => {
    const line = stringify([columns.map((c) => cell(row[c]))], CSV_OPTIONS);
    if (!first) return line;
    first = false;
    return stringify([columns as string[]], CSV_OPTIONS) + line;
  };
}

/**
 * A download: `rows` must yield plain objects; the response starts at once
 * and each row is written as it is read. An empty export still has its CSV header.
 */
export function downloadResponse(
  rows: AsyncGenerator<Record<string, unknown>>,
  { format, columns, filename }: { format: ExportFormat; columns: readonly string[]; filename: string },
  abort: AbortController,
  request: Request,
): Response {
  const encode = rowEncoder(format, columns);
  async function* withHeader(): AsyncGenerator<string> {
    let any = false;
    try {
      for await (const row of rows) {
        any = true;
        yield encode(row);
      }
    } finally {
      await rows.return(undefined).catch(() => {});
    }
    if (!any && format === "csv") yield stringify([columns as string[]], CSV_OPTIONS);
  }
  const safeName = filename.replace(/[^\w.-]+/g, "_");
  return new Response(
    pullStream(withHeader(), (text) => text, abort, request),
    {
      headers: {
        "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "Content-Disposition": `attachment; filename="${safeName}.${format}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    },
  );
}
