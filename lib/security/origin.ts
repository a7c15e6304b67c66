/**
 * Server actions are POSTs with a `Next-Action` header. Next.js compares
 * Origin with Host itself, but answers a mismatch with a 500; Warren refuses
 * such a request first, with a 403 that says why. Hosts behind a reverse
 * proxy go in WARREN_ALLOWED_ORIGINS (comma-separated, e.g. "warren.example.com").
 */
export function allowedOrigins(source = process.env.WARREN_ALLOWED_ORIGINS): string[] {
  return (source ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
}

export function foreignActionOrigin(request: Request, allowed = allowedOrigins()): string | null {
  if (request.method !== "POST" || !request.headers.has("next-action")) return null;
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return "a server action needs an Origin header";
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return "the Origin header is not a URL";
  }
  const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? "").toLowerCase();
  if (originHost === host || allowed.includes(originHost)) return null;
  return `origin ${originHost} may not call Warren's server actions`;
}
