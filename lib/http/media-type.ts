/**
 * Exact media-type check. A substring test lets `text/plain; application/json`
 * through, and text/plain is a CORS-simple type a foreign page may send with
 * the user's cookies; parsing the type/subtype before any parameter closes that.
 */
export interface MediaType {
  type: string;
  parameters: Record<string, string>;
}

export function parseMediaType(header: string | null): MediaType | null {
  if (!header) return null;
  const [essence, ...params] = header.split(";");
  const type = essence?.trim().toLowerCase() ?? "";
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return null;
  const parameters: Record<string, string> = {};
  for (const param of params) {
    const at = param.indexOf("=");
    if (at < 0) return null;
    const name = param.slice(0, at).trim().toLowerCase();
    const value = param
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (!name) return null;
    parameters[name] = value;
  }
  return { type, parameters };
}

/** application/json (or a +json type) in UTF-8: the only request bodies Warren's JSON routes take. */
export function isJsonMediaType(header: string | null): boolean {
  const media = parseMediaType(header);
  if (!media) return false;
  if (media.type !== "application/json" && !/^application\/[a-z0-9.-]+\+json$/.test(media.type)) return false;
  const charset = media.parameters.charset?.toLowerCase();
  return charset === undefined || charset === "utf-8" || charset === "utf8";
}
