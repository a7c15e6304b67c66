import { BlockList, isIP } from "node:net";
import { PEER_HEADER } from "./peer";

/**
 * Who the client is, for per-client caps and rate limits: the socket's peer,
 * or, when that peer is one of WARREN_TRUSTED_PROXIES, the nearest
 * X-Forwarded-For hop that is not itself a trusted proxy. A forwarding header
 * from anyone else is ignored: anyone can write one.
 */
export function trustedProxies(source = process.env.WARREN_TRUSTED_PROXIES): BlockList {
  const list = new BlockList();
  for (const raw of (source ?? "").split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, bits] = entry.split("/");
    const family = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
    if (!address || !isIP(address)) continue;
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

let cached: { source: string | undefined; list: BlockList } | null = null;
function proxies(): BlockList {
  const source = process.env.WARREN_TRUSTED_PROXIES;
  if (!cached || cached.source !== source) cached = { source, list: trustedProxies(source) };
  return cached.list;
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are one client. */
function normalize(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (!family) return false;
  return list.check(address, family === 6 ? "ipv6" : "ipv4");
}

export function clientAddress(headers: Headers, list = proxies()): string {
  const peer = normalize(headers.get(PEER_HEADER) ?? "unknown");
  if (!isTrusted(list, peer)) return peer;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map(normalize).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isIP(hop)) return peer;
    if (!isTrusted(list, hop)) return hop;
  }
  return hops[0] ?? peer;
}

/**
 * Whether the client reached us over HTTPS. X-Forwarded-Proto is believed from
 * anyone: it can only add `Secure` to a cookie, which no client gains from forging.
 */
export function isHttps(headers: Headers): boolean {
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}
