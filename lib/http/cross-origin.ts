/**
 * Cross-site request forgery check for every state-changing request (route
 * handlers, server actions, no-JS form posts), after Go's
 * net/http.CrossOriginProtection: the browser's `Sec-Fetch-Site` says whether
 * the calling page is ours; where it is absent, `Origin` must name this host;
 * a request with neither comes from no browser (curl, scripts), which cannot
 * carry a victim's cookies. `same-site` is refused too: a sibling subdomain or
 * another port on the same host is not Warren.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function allowedOrigins(source = process.env.WARREN_ALLOWED_ORIGINS): string[] {
  return (source ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Why the request is refused as cross-origin, or null when it may proceed.
 * `requireOrigin`: posts to pages (server actions, forms) come only from
 * browsers, which always say where from; one that does not is refused.
 */
export function crossOriginRefusal(
  request: Request,
  allowed = allowedOrigins(),
  { requireOrigin = false }: { requireOrigin?: boolean } = {},
): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const origin = request.headers.get("origin");
  let originHost: string | null = null;
  if (origin && origin !== "null") {
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return "the Origin header is not a URL";
    }
  }
  if (originHost && allowed.includes(originHost)) return null;
  const site = request.headers.get("sec-fetch-site")?.toLowerCase();
  if (site) {
    if (site === "same-origin" || site === "none") return null;
    return `a ${site} page may not change anything in Warren`;
  }
  if (origin === "null") return "an opaque (null) origin may not change anything in Warren";
  if (!originHost) return requireOrigin ? "a form or action post needs an Origin header" : null;
  const host = (request.headers.get("host") ?? "").toLowerCase();
  if (originHost === host) return null;
  return `origin ${originHost} may not change anything in Warren`;
}
