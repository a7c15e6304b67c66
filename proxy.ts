import { type NextRequest, NextResponse } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/security/csp";
import { foreignActionOrigin } from "@/lib/security/origin";

/**
 * Runs before every page and action request: refuses server actions from a
 * foreign origin (403, where Next alone would answer 500), and gives each
 * page a fresh CSP nonce (Next reads it from the request's CSP header and
 * puts it on its own scripts; the page is dynamic anyway).
 */
export function proxy(request: NextRequest) {
  const refused = foreignActionOrigin(request);
  if (refused) {
    return NextResponse.json({ error: "forbidden", message: `Refused: ${refused}.` }, { status: 403 });
  }
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Pages and actions; not API routes, static files or images (their CSP comes from next.config.mjs).
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [{ type: "header", key: "next-router-prefetch" }],
    },
  ],
};
