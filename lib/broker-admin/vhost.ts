import { WarrenError } from "../errors";

/** `?vhost=`: default "/", "*" for every vhost (null). Vhost names are 1–255 bytes. */
export function parseVhost(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw === "") return "/";
  if (raw === "*") return null;
  if (Buffer.byteLength(raw) > 255) throw new WarrenError("bad_request", "vhost names are at most 255 bytes.");
  return raw;
}

/**
 * A name from /api/broker/<kind>/<name>/…, decoded exactly once from the raw
 * path (Next hands over params already decoded; decoding again breaks "%").
 */
export function nameFromPath(request: Request, segment: number): string {
  const raw = new URL(request.url).pathname.split("/")[segment] ?? "";
  try {
    const name = decodeURIComponent(raw);
    if (name === "") throw new WarrenError("bad_request", "The name in the address is empty.");
    return name;
  } catch (error) {
    if (error instanceof WarrenError) throw error;
    throw new WarrenError("bad_request", "The name in the address is not valid URL encoding.");
  }
}

/** The broker's vhost names ("/" when the API cannot say). */
export async function vhostNames(management: { read<T>(path: string): Promise<T | null> }): Promise<string[]> {
  try {
    const list = await management.read<{ name: string }[]>("/api/vhosts?columns=name");
    const names = (list ?? []).map((v) => v.name).sort();
    return names.length > 0 ? names : ["/"];
  } catch {
    return ["/"];
  }
}

/** A page's dynamic segment: pages get it still URL-encoded (route handlers differ; see nameFromPath). */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
