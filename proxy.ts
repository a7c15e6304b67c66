import { type NextRequest, NextResponse } from "next/server";
import { crossOriginRefusal } from "@/lib/http/cross-origin";
import { contentSecurityPolicy, newNonce } from "@/lib/security/csp";

/** next.config.mjs serverActions.bodySizeLimit ("1mb"): Next refuses more, but with a 500. */
const ACTION_BODY_LIMIT = 1024 * 1024;

/**
 * A post to a page (server action or no-JS form) over the limit is a 413
 * here, before Next reads it; one without a length (chunked) is a 411, as
 * browsers always send a length and the limit cannot be checked up front.
 */
function oversizedPost(request: NextRequest): { status: number; error: string; message: string } | null {
  if (request.method !== "POST" || request.nextUrl.pathname.startsWith("/api/")) return null;
  const length = request.headers.get("content-length");
  if (length === null) {
    if (!request.headers.has("transfer-encoding")) return null;
    return { status: 411, error: "length_required", message: "Send a Content-Length with form and action posts." };
  }
  if (/^\d+$/.test(length) && Number(length) <= ACTION_BODY_LIMIT) return null;
  return {
    status: 413,
    error: "payload_too_large",
    message: `A form or action post may be at most ${ACTION_BODY_LIMIT} bytes.`,
  };
}

/**
 * Runs before every page, prefetch and action request: refuses cross-origin
 * posts (server actions and no-JS form posts alike) with a 403 that says why,
 * where Next alone would answer 500; refuses a path that is not valid
 * percent-encoding (400); and gives every HTML answer, prefetches included,
 * a CSP with a fresh nonce (Next reads it from the request's CSP header and
 * puts it on its own scripts; the pages are dynamic anyway).
 */
export function proxy(request: NextRequest) {
  // API paths come here only for their percent check; their own wrapper (lib/http/route.ts) does the rest.
  const api = request.nextUrl.pathname.startsWith("/api/");
  const refused = api ? null : crossOriginRefusal(request, undefined, { requireOrigin: true });
  if (refused) {
    return NextResponse.json({ error: "forbidden", message: `Refused: ${refused}.` }, { status: 403 });
  }
  const tooBig = oversizedPost(request);
  if (tooBig) return NextResponse.json({ error: tooBig.error, message: tooBig.message }, { status: tooBig.status });
  try {
    decodeURIComponent(request.nextUrl.pathname);
  } catch {
    return NextResponse.json(
      { error: "bad_request", message: "The address is not valid URL encoding." },
      { status: 400 },
    );
  }
  if (api) return NextResponse.next();
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Pages, prefetches and actions; not API routes (their wrapper checks origins, and
// next.config.mjs gives them a deny-all CSP), static files or images.
// (Next reads this object at build time: literals only.)
export const config = {
  matcher: [
    // Page loads, prefetches and no-JS form posts.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [{ type: "header", key: "next-action" }],
    },
    // Action calls, unless the browser itself vouches that the page calling is ours:
    // `Sec-Fetch-Site: same-origin` is set by the browser and cannot be set by a page's
    // script. Those skip the proxy, which costs an action call about as much CPU as the
    // action itself. A client that fakes the header is no browser (no CSRF with someone
    // else's cookies) and still meets Next's own origin check.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      has: [{ type: "header", key: "next-action" }],
      missing: [{ type: "header", key: "sec-fetch-site", value: "same-origin" }],
    },
    // Action calls too big for Next (which answers them with a 500), or without a length.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      has: [
        { type: "header", key: "next-action" },
        { type: "header", key: "content-length", value: "\\d{7,}" },
      ],
    },
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      has: [{ type: "header", key: "next-action" }],
      missing: [{ type: "header", key: "content-length" }],
    },
    // API paths with a percent sign: Next answers a malformed escape (`%ZZ`) with a 500 before
    // the route runs; the proxy answers 400 instead. Other API requests skip the proxy.
    "/api/:rest(.*%.*)",
  ],
};
