/**
 * Warren's Content-Security-Policy. Scripts run only with this response's
 * nonce ('strict-dynamic' lets Next's own chunks load the rest), so an
 * injected `<script>` or `onerror=` handler never runs even if markup ever
 * slipped through React's escaping. Styles keep 'unsafe-inline': React and
 * Tailwind use style attributes, which nonces cannot cover, and CSS cannot
 * run script. Dev mode needs 'unsafe-eval' for React's debugging tools.
 */
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
