import { WarrenError } from "../errors";
import { isJsonMediaType } from "./media-type";

/** The largest JSON body any Warren route takes unless it asks for less. */
export const DEFAULT_BODY_LIMIT = 128 * 1024;

export interface BodyOptions {
  /** Bytes; the read stops at the first byte past it (413). */
  limit?: number;
  /** What an empty body means; by default it is a 400. */
  empty?: unknown;
}

/**
 * Reads the body as bytes, at most `limit`: a declared Content-Length over it
 * is refused before reading, and a chunked body without one is read only up
 * to the limit, then the stream is cancelled (never buffered whole first).
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared.trim()) || Number(declared) > limit)) {
    throw tooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Strict UTF-8: a body with invalid sequences is refused, not silently patched with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new WarrenError("bad_request", "The request body is not valid UTF-8.");
  }
}

/**
 * The one JSON body reader: exact media type (415), size limit while reading
 * (413), strict UTF-8 and JSON syntax (400). Every JSON route uses it.
 */
export async function readJsonBody(request: Request, options: BodyOptions = {}): Promise<unknown> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    throw new WarrenError(
      "unsupported_media_type",
      'Send the request body as JSON with the header "Content-Type: application/json".',
    );
  }
  const text = decodeUtf8(await readBodyBytes(request, limit));
  if (text.trim() === "") {
    if ("empty" in options) return options.empty;
    throw new WarrenError("bad_request", "The request body is not valid JSON: it is empty.");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WarrenError("bad_request", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(limit: number): WarrenError {
  return new WarrenError("payload_too_large", `The request body is larger than ${limit} bytes.`);
}
