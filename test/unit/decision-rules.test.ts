import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessFor, assertCanAct, hasRole, refusalFor, requireRole } from "../../lib/auth/access";
import { sessionTokenFromCookieHeader } from "../../lib/auth/cookies";
import { isWarrenError } from "../../lib/errors";
import { orderPublishOptions } from "../../lib/orders/message";
import { decodeOrderMessage, hashOrder, MAX_MESSAGE_BYTES } from "../../lib/payments/decide";

/** Boundaries and exact outcomes of the decision modules (written against `npm run mutate`'s survivors). */
describe("payment decisions: boundaries", () => {
  const body = (size: number) => {
    const base = JSON.stringify({ orderId: "big", item: "book", pad: "" });
    return Buffer.from(base.replace('"pad":""', `"pad":"${"x".repeat(size - base.length)}"`));
  };

  it("a message of exactly the limit is read; one byte more is refused with both sizes", () => {
    assert.equal(body(MAX_MESSAGE_BYTES).length, MAX_MESSAGE_BYTES);
    assert.equal(decodeOrderMessage(body(MAX_MESSAGE_BYTES)).kind, "payable");
    assert.deepEqual(decodeOrderMessage(body(MAX_MESSAGE_BYTES + 1)), {
      kind: "invalid",
      reason: `message too large: ${MAX_MESSAGE_BYTES + 1} bytes (limit ${MAX_MESSAGE_BYTES})`,
    });
  });

  it("the AMQP timestamp is a placed time only when it is a positive number of seconds", () => {
    const placedAt = (timestamp?: number) => {
      const decoded = decodeOrderMessage(Buffer.from('{"orderId":"t","item":"tea"}'), timestamp);
      return decoded.kind === "payable" ? decoded.order.placedAt : "invalid";
    };
    assert.equal(placedAt(1_700_000_000), 1_700_000_000_000);
    assert.equal(placedAt(1), 1000);
    assert.equal(placedAt(0), null);
    assert.equal(placedAt(-5), null);
    assert.equal(placedAt(Number.NaN), null);
    assert.equal(placedAt(undefined), null);
  });

  it("bytes that are not UTF-8 are refused, even where a lenient decoder would read valid JSON", () => {
    const notUtf8 = { kind: "invalid", reason: "not UTF-8: the body has bytes that are not valid UTF-8" };
    // 0xFF inside a string: a lenient decoder makes it U+FFFD and the order would be paid as if sent.
    const inString = Buffer.concat([
      Buffer.from('{"orderId":"u8","item":"b'),
      Buffer.from([0xff]),
      Buffer.from('ok"}'),
    ]);
    assert.deepEqual(decodeOrderMessage(inString), notUtf8);
    assert.deepEqual(decodeOrderMessage(Buffer.from([0xc3, 0x28])), notUtf8);
  });

  it("a refusal names the fields it is about, and (body) when the body itself is wrong", () => {
    const fieldsOf = (text: string) => {
      const decoded = decodeOrderMessage(Buffer.from(text));
      assert.equal(decoded.kind, "invalid");
      return decoded.kind === "invalid" ? decoded.fields : undefined;
    };
    assert.deepEqual(fieldsOf('{"orderId":"f1","item":"book","quantity":0}'), ["quantity"]);
    assert.deepEqual(fieldsOf('{"orderId":"f2","item":"","quantity":0}')?.sort(), ["item", "quantity"]);
    assert.deepEqual(fieldsOf("[1,2]"), ["(body)"]);
    assert.deepEqual(fieldsOf('{"orderId":"f3","item":"book","placedAt":{"a":{"b":1}}}')?.sort(), ["placedAt"]);
  });

  // Stored in the ledger and compared with every redelivery: the formula is a contract with existing databases.
  it("the content hash is 32 hex characters of sha256 over [id, item, quantity]", () => {
    assert.equal(hashOrder("a", "tea", 2), "a0435bb50d82edaf52bf68dc8207f6fe");
    assert.match(hashOrder("b", "tea", 2), /^[0-9a-f]{32}$/);
    assert.notEqual(hashOrder("a", "tea", 2), hashOrder("a", "tea", 3));
  });
});

describe("order message properties", () => {
  it("every order is sent persistent, as JSON, with its id as message and correlation id, and the time in seconds", () => {
    assert.deepEqual(orderPublishOptions({ orderId: "o-1", item: "book", quantity: 2, placedAt: 1_700_000_000_999 }), {
      persistent: true,
      contentType: "application/json",
      messageId: "o-1",
      correlationId: "o-1",
      timestamp: 1_700_000_000,
      type: "order.placed",
      appId: "warren",
    });
  });
});

describe("access decisions: every branch, exactly", () => {
  const config = { WARREN_READ_ONLY: false, signInEnabled: true };
  const session = (role: "viewer" | "operator" | "admin") => ({ id: "s1", user: { id: 7, name: "ada", role } });
  const user = (role: "viewer" | "operator" | "admin") => ({ id: 7, name: "ada", role });

  it("read-only: signed in or not, actions are off with the reason; sign-in stays possible", () => {
    const reason = "Warren runs read-only (WARREN_READ_ONLY=1): all actions are off.";
    assert.deepEqual(accessFor(session("operator"), { ...config, WARREN_READ_ONLY: true }), {
      user: user("operator"),
      sessionId: "s1",
      role: "operator",
      canAct: false,
      signInEnabled: true,
      reason,
    });
    assert.deepEqual(accessFor(null, { WARREN_READ_ONLY: true, signInEnabled: false }), {
      user: null,
      sessionId: null,
      role: "viewer",
      canAct: false,
      signInEnabled: false,
      reason,
    });
  });

  it("no account at all: a viewer, sign-in off, told what to set", () => {
    assert.deepEqual(accessFor(null, { ...config, signInEnabled: false }), {
      user: null,
      sessionId: null,
      role: "viewer",
      canAct: false,
      signInEnabled: false,
      reason:
        "Actions are disabled: set WARREN_ADMIN_PASSWORD (8+ characters) or add a user with `npm run user -- add`, then sign in.",
    });
  });

  it("accounts exist: a visitor until signed in; a viewer account may look only; an operator or admin may act", () => {
    assert.deepEqual(accessFor(null, config), {
      user: null,
      sessionId: null,
      role: "viewer",
      canAct: false,
      signInEnabled: true,
      reason: "Sign in as an operator to use actions.",
    });
    assert.deepEqual(accessFor(session("viewer"), config), {
      user: user("viewer"),
      sessionId: "s1",
      role: "viewer",
      canAct: false,
      signInEnabled: true,
      reason: "Your role (viewer) may not do this; it needs operator.",
    });
    for (const role of ["operator", "admin"] as const) {
      assert.deepEqual(accessFor(session(role), config), {
        user: user(role),
        sessionId: "s1",
        role: "operator",
        canAct: true,
        signInEnabled: true,
        reason: null,
      });
    }
  });

  const codeOf = (run: () => void) => {
    try {
      run();
      return "allowed";
    } catch (error) {
      assert.ok(isWarrenError(error), String(error));
      return `${error.code}: ${error.message}`;
    }
  };

  it("refusals: 401 only for a visitor who could sign in, 403 for everything else, decided by the refusal", () => {
    assert.equal(
      codeOf(() => assertCanAct(accessFor(session("operator"), config))),
      "allowed",
    );
    assert.equal(
      codeOf(() => assertCanAct(accessFor(null, config))),
      "unauthorized: Sign in as an operator to use actions.",
    );
    assert.equal(
      codeOf(() => assertCanAct(accessFor(session("viewer"), config))),
      "forbidden: Your role (viewer) may not do this; it needs operator.",
    );
    assert.match(
      codeOf(() => assertCanAct(accessFor(session("admin"), { ...config, WARREN_READ_ONLY: true }))),
      /^forbidden: Warren runs read-only/,
    );
    assert.match(
      codeOf(() => assertCanAct(accessFor(null, { ...config, signInEnabled: false }))),
      /^forbidden: Actions/,
    );
    // Admin work is not turned off by read-only mode, and needs an admin.
    assert.equal(
      codeOf(() =>
        requireRole(accessFor(session("admin"), { ...config, WARREN_READ_ONLY: true }), "admin", {
          WARREN_READ_ONLY: true,
        }),
      ),
      "allowed",
    );
    assert.equal(
      codeOf(() => requireRole(accessFor(session("operator"), config), "admin", config)),
      "forbidden: Your role (operator) may not do this; it needs admin.",
    );
    assert.equal(
      codeOf(() => requireRole(accessFor(null, config), "admin", config)),
      "unauthorized: Sign in as an admin to use actions.",
    );
  });

  it("hasRole: a visitor has none; each role has its own and those below it, never those above", () => {
    const visitor = accessFor(null, config);
    for (const need of ["viewer", "operator", "admin"] as const) assert.equal(hasRole(visitor, need), false);
    const ranks = ["viewer", "operator", "admin"] as const;
    for (const [i, role] of ranks.entries()) {
      const access = accessFor(session(role), config);
      for (const [j, need] of ranks.entries()) assert.equal(hasRole(access, need), i >= j, `${role} needs ${need}`);
    }
  });

  it("the read-only refusal is a 403 with its reason, for operator work, never for admin work", () => {
    const readOnly = { WARREN_READ_ONLY: true, signInEnabled: true };
    const refusal = refusalFor(user("admin"), "operator", readOnly);
    assert.deepEqual(
      [refusal?.code, refusal?.message],
      ["forbidden", "Warren runs read-only (WARREN_READ_ONLY=1): all actions are off."],
    );
    assert.equal(refusalFor(user("admin"), "admin", readOnly), null);
  });

  it("assertCanAct on an access that says it may not act, with nothing for refusalFor to find, still refuses", () => {
    // An access built elsewhere (e.g. read-only at build time, writable now): its own reason is kept.
    const stale = { ...accessFor(session("operator"), config), canAct: false, reason: "paused by the admin" };
    assert.equal(
      codeOf(() => assertCanAct(stale)),
      "forbidden: paused by the admin",
    );
    assert.equal(
      codeOf(() => assertCanAct({ ...stale, reason: null })),
      "forbidden: Not allowed.",
    );
    // A viewer whose access says "may not act" is refused for operator work (not admin work).
    assert.equal(
      codeOf(() => assertCanAct({ ...accessFor(session("viewer"), config), reason: null })),
      "forbidden: Your role (viewer) may not do this; it needs operator.",
    );
  });

  it("reads the session cookie among others, decoded, with '=' in its value kept; bad escapes are no session", () => {
    assert.equal(sessionTokenFromCookieHeader("a=1; warren_session=abc%3D%3D=x.y; b=2"), "abc===x.y");
    assert.equal(sessionTokenFromCookieHeader("warren_session_old=1"), undefined);
    assert.equal(sessionTokenFromCookieHeader("warren_session=%ZZ"), undefined);
    assert.equal(sessionTokenFromCookieHeader(""), undefined);
    assert.equal(sessionTokenFromCookieHeader(null), undefined);
  });
});
