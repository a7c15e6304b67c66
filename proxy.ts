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
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Pages and actions; not API routes, static files or images (their CSP comes from next.config.mjs).
// (Next reads this object at build time: literals only.)
export const config = {
  matcher: [
    // Page loads (and no-JS form posts, which answer with a page): the nonce CSP.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "next-action" },
      ],
    },
    // Action calls, unless the browser itself vouches that the page calling is ours:
    // `Sec-Fetch-Site: same-origin` is set by the browser and cannot be set by a page's
    // script. Those skip the proxy, which costs an action call about as much CPU as the
    // action itself (measured: 453 → 783 orders/s). A client that fakes the header is no
    // browser (no CSRF with someone else's cookies) and still meets Next's own origin check.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      has: [{ type: "header", key: "next-action" }],
      missing: [{ type: "header", key: "sec-fetch-site", value: "same-origin" }],
    },
  ],
};
