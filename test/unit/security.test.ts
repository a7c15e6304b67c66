import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientKey, maxStreamsPerClient, StreamRegistry } from "../../lib/events/streams";
import { contentSecurityPolicy } from "../../lib/security/csp";
import { allowedOrigins, foreignActionOrigin } from "../../lib/security/origin";

const action = (headers: Record<string, string>, method = "POST") =>
  new Request("http://127.0.0.1:3000/", { method, headers: { "next-action": "abc", ...headers } });

describe("server action origin check", () => {
  it("lets the page's own origin through", () => {
    assert.equal(foreignActionOrigin(action({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }), []), null);
  });
  it("refuses a foreign, missing, null or malformed Origin", () => {
    assert.match(String(foreignActionOrigin(action({ origin: "https://evil.example", host: "a:1" }), [])), /evil/);
    assert.match(String(foreignActionOrigin(action({ host: "a:1" }), [])), /needs an Origin/);
    assert.match(String(foreignActionOrigin(action({ origin: "null", host: "a:1" }), [])), /needs an Origin/);
    assert.match(String(foreignActionOrigin(action({ origin: "::", host: "a:1" }), [])), /not a URL/);
  });
  it("does not confuse a look-alike host with the real one", () => {
    const request = action({ origin: "http://127.0.0.1:3000.evil.example", host: "127.0.0.1:3000" });
    assert.notEqual(foreignActionOrigin(request, []), null);
  });
  it("accepts hosts from WARREN_ALLOWED_ORIGINS, and ignores non-action requests", () => {
    assert.deepEqual(allowedOrigins(" Warren.example.com, ,b.example "), ["warren.example.com", "b.example"]);
    const proxied = action({ origin: "https://warren.example.com", host: "10.0.0.5:3000" });
    assert.equal(foreignActionOrigin(proxied, ["warren.example.com"]), null);
    const plain = new Request("http://a/", { method: "POST", headers: { origin: "https://evil.example" } });
    assert.equal(foreignActionOrigin(plain, []), null);
  });
});

describe("CSP", () => {
  it("allows scripts only with the nonce, and forbids framing", () => {
    const csp = contentSecurityPolicy("n0nce", false);
    assert.match(csp, /script-src 'self' 'nonce-n0nce' 'strict-dynamic'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
  });
});

describe("SSE cap", () => {
  it("gives each client at most maxStreamsPerClient() slots and frees them once", () => {
    const key = `unit-${Math.random()}`;
    const streams = new StreamRegistry();
    const reserveStream = (client: string) => streams.reserve(client);
    const releases = Array.from({ length: maxStreamsPerClient() }, () => reserveStream(key));
    assert.ok(releases.every((release) => release !== null));
    assert.equal(reserveStream(key), null);
    releases[0]?.();
    releases[0]?.(); // idempotent: must not free two slots
    assert.notEqual(reserveStream(key), null);
    assert.equal(reserveStream(key), null);
  });
  it("keys clients by the first X-Forwarded-For hop", () => {
    const request = new Request("http://a/", { headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });
    assert.equal(clientKey(request), "203.0.113.9");
    assert.equal(clientKey(new Request("http://a/")), "direct");
  });
});
