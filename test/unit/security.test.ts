import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RefusalCoalescer } from "../../lib/audit/coalesce";
import { SignInLimits } from "../../lib/auth/sign-in-limits";
import { StreamRegistry } from "../../lib/events/streams";
import { clientAddress, trustedProxies } from "../../lib/http/client-address";
import { allowedOrigins, crossOriginRefusal } from "../../lib/http/cross-origin";
import { isJsonMediaType } from "../../lib/http/media-type";
import { PEER_HEADER } from "../../lib/http/peer";
import { safeNext } from "../../lib/http/safe-next";
import { contentSecurityPolicy } from "../../lib/security/csp";
import { maskFieldsOf, maskJsonText } from "../../lib/security/mask";
import { browseFor, detailFor } from "../../lib/security/redact";

const post = (headers: Record<string, string>, method = "POST") =>
  new Request("http://127.0.0.1:3000/", { method, headers: { host: "127.0.0.1:3000", ...headers } });

describe("cross-origin check", () => {
  it("lets the page's own origin and non-browser clients through", () => {
    assert.equal(crossOriginRefusal(post({ origin: "http://127.0.0.1:3000" }), []), null);
    assert.equal(crossOriginRefusal(post({ "sec-fetch-site": "same-origin" }), []), null);
    assert.equal(crossOriginRefusal(post({}), []), null);
    assert.equal(crossOriginRefusal(post({ origin: "https://evil.example" }, "GET"), []), null);
  });
  it("refuses same-site and cross-site pages, foreign, null or malformed origins", () => {
    assert.match(String(crossOriginRefusal(post({ "sec-fetch-site": "same-site" }), [])), /same-site/);
    assert.match(String(crossOriginRefusal(post({ "sec-fetch-site": "cross-site" }), [])), /cross-site/);
    assert.match(String(crossOriginRefusal(post({ origin: "http://127.0.0.1:3001" }), [])), /127.0.0.1:3001/);
    assert.match(String(crossOriginRefusal(post({ origin: "null" }), [])), /null/);
    assert.match(String(crossOriginRefusal(post({ origin: "::" }), [])), /not a URL/);
    assert.notEqual(crossOriginRefusal(post({ origin: "http://127.0.0.1:3000.evil.example" }), []), null);
    assert.notEqual(crossOriginRefusal(post({ origin: "https://evil.example" }, "DELETE"), []), null);
  });
  it("requires an Origin on posts to pages (only browsers post forms and actions)", () => {
    assert.match(String(crossOriginRefusal(post({}), [], { requireOrigin: true })), /needs an Origin/);
    assert.equal(crossOriginRefusal(post({ origin: "http://127.0.0.1:3000" }), [], { requireOrigin: true }), null);
  });
  it("accepts hosts from WARREN_ALLOWED_ORIGINS", () => {
    assert.deepEqual(allowedOrigins(" Warren.example.com, ,b.example "), ["warren.example.com", "b.example"]);
    const proxied = post({ origin: "https://warren.example.com", "sec-fetch-site": "cross-site", host: "10.0.0.5" });
    assert.equal(crossOriginRefusal(proxied, ["warren.example.com"]), null);
  });
});

describe("media type", () => {
  it("takes application/json exactly, never a type that merely contains it", () => {
    assert.equal(isJsonMediaType("application/json"), true);
    assert.equal(isJsonMediaType("Application/JSON; charset=UTF-8"), true);
    assert.equal(isJsonMediaType("application/merge-patch+json"), true);
    assert.equal(isJsonMediaType("text/plain; application/json"), false);
    assert.equal(isJsonMediaType("text/plain;charset=application/json"), false);
    assert.equal(isJsonMediaType("application/json; charset=latin1"), false);
    assert.equal(isJsonMediaType("application/jsonx"), false);
    assert.equal(isJsonMediaType(null), false);
  });
});

describe("client address", () => {
  const req = (peer: string, forwarded?: string) =>
    new Headers({ [PEER_HEADER]: peer, ...(forwarded ? { "x-forwarded-for": forwarded } : {}) });
  it("ignores X-Forwarded-For from anyone but a trusted proxy", () => {
    const none = trustedProxies("");
    assert.equal(clientAddress(req("198.51.100.4", "203.0.113.9"), none), "198.51.100.4");
    assert.equal(clientAddress(req("::ffff:127.0.0.1", "1.2.3.4"), none), "127.0.0.1");
  });
  it("from a trusted proxy, takes the nearest hop that is not a proxy", () => {
    const list = trustedProxies("127.0.0.1, 10.0.0.0/8");
    assert.equal(clientAddress(req("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3"), list), "203.0.113.9");
    assert.equal(clientAddress(req("127.0.0.1"), list), "127.0.0.1");
    assert.equal(clientAddress(req("127.0.0.1", "not-an-ip"), list), "127.0.0.1");
  });
});

describe("stream cap", () => {
  it("caps each client, frees a slot once, and sheds the oldest anonymous stream for a signed-in one", () => {
    const perClient = 8;
    const total = 20;
    const registry = new StreamRegistry(
      () => perClient,
      () => total,
    );
    const closed: string[] = [];
    const key = "unit-client";
    const releases = Array.from({ length: perClient }, (_, i) =>
      registry.reserve({ client: key, signedIn: false }, () => closed.push(`${key}-${i}`)),
    );
    assert.throws(() => registry.reserve({ client: key, signedIn: false }, () => {}), { status: 429 } as object);
    releases[0]?.();
    releases[0]?.(); // idempotent: must not free two slots
    releases[0] = registry.reserve({ client: key, signedIn: false }, () => {});
    assert.throws(() => registry.reserve({ client: key, signedIn: false }, () => {}), { status: 429 } as object);
    for (const release of releases) release?.();

    // Fill the process with anonymous streams from many clients.
    const fill = Array.from({ length: total }, (_, i) => {
      let release = () => {};
      release = registry.reserve({ client: `anon-${i}`, signedIn: false }, () => {
        closed.push(`anon-${i}`);
        release();
      });
      return release;
    });
    assert.throws(() => registry.reserve({ client: "late-anon", signedIn: false }, () => {}), {
      status: 429,
    } as object);
    const operator = registry.reserve({ client: "operator", signedIn: true }, () => {});
    assert.ok(closed.includes("anon-0"), "the oldest anonymous stream was shed");
    assert.equal(registry.size, total);
    operator();
    for (const release of fill) release();
    assert.equal(registry.size, 0);
  });
});

describe("sign-in limits", () => {
  it("counts parallel guesses at once and locks the account after 5", async () => {
    const limits = new SignInLimits();
    const verdicts = await Promise.all(Array.from({ length: 25 }, () => limits.attempt("10.0.0.1", "alice")));
    assert.equal(verdicts.filter((v) => v.allowed).length, 5);
    assert.ok(verdicts.filter((v) => !v.allowed).every((v) => v.retryAfterS >= 1));
    // Another account from another client is not affected.
    assert.equal((await limits.attempt("10.0.0.2", "bob")).allowed, true);
  });
  it("locks an account out for a time that doubles with each lockout", async () => {
    const limits = new SignInLimits({ lockoutBaseS: 1 });
    for (let i = 0; i < 5; i++) assert.equal((await limits.attempt(`10.0.1.${i}`, "carol")).allowed, true);
    const first = await limits.attempt("10.0.1.9", "carol");
    assert.deepEqual([first.allowed, first.scope, first.retryAfterS], [false, "account", 1]);
    // Wait for the lockout to end (the probe that gets through is the next streak's first failure).
    while (!(await limits.attempt("10.0.1.9", "carol")).allowed) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 4; i++) assert.equal((await limits.attempt(`10.0.2.${i}`, "carol")).allowed, true);
    const second = await limits.attempt("10.0.1.9", "carol");
    assert.deepEqual([second.allowed, second.retryAfterS], [false, 2]);
  });

  it("limits one client guessing many accounts", async () => {
    const limits = new SignInLimits();
    const verdicts = [];
    for (let i = 0; i < 40; i++) verdicts.push(await limits.attempt("10.9.9.9", `user${i}`));
    assert.equal(verdicts.filter((v) => v.allowed).length, 30);
    assert.equal(verdicts.at(-1)?.scope, "client");
  });
});

describe("refusal coalescing", () => {
  it("writes the first refusal of a kind and one summary for its repeats", () => {
    const rows: number[] = [];
    const coalescer = new RefusalCoalescer(60_000, 10);
    for (let i = 0; i < 2000; i++) coalescer.offer({ key: "viewer|purge|q", write: (n) => rows.push(n) });
    assert.deepEqual(rows, [0]);
    coalescer.flush();
    assert.deepEqual(rows, [0, 1999]);
  });
  it("bounds the kinds it tracks", () => {
    const rows: string[] = [];
    const coalescer = new RefusalCoalescer(60_000, 10);
    for (let i = 0; i < 1000; i++) coalescer.offer({ key: `k${i}`, write: () => rows.push(`k${i}`) });
    assert.equal(rows.length, 11);
    coalescer.flush();
  });
});

describe("redirect after sign-in", () => {
  it("stays on this site", () => {
    assert.equal(safeNext("/queues/a?b=1#c"), "/queues/a?b=1#c");
    for (const evil of [
      "//evil.example",
      "/\t/evil.example/pwned",
      "/\\evil.example",
      "https://evil.example",
      "/\n/x",
      "/%09/x".replace("%09", "\t"),
      "",
      undefined,
      "javascript:alert(1)",
    ]) {
      assert.equal(safeNext(evil), "/", String(evil));
    }
  });
});

describe("masking", () => {
  it("masks the named fields at any depth, and refuses to show what is not JSON", () => {
    const fields = maskFieldsOf("card, Email");
    assert.equal(
      maskJsonText('{"card":"4111","nested":{"EMAIL":"a@b"},"items":[{"card":1}],"ok":1}', fields),
      '{"card":"***","nested":{"EMAIL":"***"},"items":[{"card":"***"}],"ok":1}',
    );
    assert.equal(maskJsonText("not json card=4111", fields), null);
    assert.equal(maskJsonText("anything", maskFieldsOf("")), "anything");
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

describe("what viewers see of broker data", () => {
  const consumer = {
    tag: "c",
    prefetch: 1,
    ackRequired: true,
    active: true,
    connection: "10.1.2.3:51234 -> 10.0.0.1:5672",
    channel: "10.1.2.3:51234 -> 10.0.0.1:5672 (1)",
  };
  const detail = { consumers: [consumer] } as unknown as import("../../lib/queues/service").QueueDetail;
  it("hides consumers' ip:port from viewers, not from operators", () => {
    const viewed = JSON.stringify(detailFor(detail, { role: "viewer", canAct: false }));
    assert.doesNotMatch(viewed, /10\.1\.2\.3/);
    assert.match(JSON.stringify(detailFor(detail, { role: "operator", canAct: true })), /10\.1\.2\.3:51234/);
  });
  it("masks dead-letter bodies for viewers", () => {
    const browse = {
      messages: [
        { body: '{"card":"4111"}', bodyEncoding: "utf8" },
        { body: "card=4111", bodyEncoding: "utf8" },
      ],
    } as unknown as import("../../lib/deadletters/workbench").BrowseResult;
    const viewed = JSON.stringify(browseFor(browse, { role: "viewer" }, maskFieldsOf("card")));
    assert.doesNotMatch(viewed, /4111/);
    assert.match(JSON.stringify(browseFor(browse, { role: "operator" }, maskFieldsOf("card"))), /4111/);
  });
});
