import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessFor, assertCanAct, sessionTokenFromCookieHeader } from "../../lib/auth/access";
import { sessionSecret, signSession } from "../../lib/auth/session";
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
  const password = "correct horse battery";
  const operator = signSession({ sub: "operator", exp: Date.now() / 1000 + 60 }, sessionSecret(password));
  const config = { WARREN_ADMIN_PASSWORD: password, WARREN_SESSION_SECRET: undefined, WARREN_READ_ONLY: false };

  it("read-only: signed in or not, actions are off with the reason; sign-in stays possible", () => {
    const reason = "Warren runs read-only (WARREN_READ_ONLY=1): all actions are off.";
    assert.deepEqual(accessFor(operator, { ...config, WARREN_READ_ONLY: true }), {
      role: "operator",
      canAct: false,
      signInEnabled: true,
      reason,
    });
    assert.deepEqual(accessFor(undefined, { ...config, WARREN_READ_ONLY: true, WARREN_ADMIN_PASSWORD: undefined }), {
      role: "viewer",
      canAct: false,
      signInEnabled: false,
      reason,
    });
  });

  it("no password: a viewer, sign-in off, told what to set", () => {
    assert.deepEqual(accessFor(operator, { ...config, WARREN_ADMIN_PASSWORD: undefined }), {
      role: "viewer",
      canAct: false,
      signInEnabled: false,
      reason: "Actions are disabled: set WARREN_ADMIN_PASSWORD (8+ characters) and restart to enable operator sign-in.",
    });
  });

  it("password set: a viewer until signed in, then an operator who may act", () => {
    assert.deepEqual(accessFor(undefined, config), {
      role: "viewer",
      canAct: false,
      signInEnabled: true,
      reason: "Sign in as an operator to use actions.",
    });
    assert.deepEqual(accessFor(operator, config), {
      role: "operator",
      canAct: true,
      signInEnabled: true,
      reason: null,
    });
  });

  const codeOf = (access: Parameters<typeof assertCanAct>[0]) => {
    try {
      assertCanAct(access);
      return "allowed";
    } catch (error) {
      assert.ok(isWarrenError(error), String(error));
      return `${error.code}: ${error.message}`;
    }
  };

  it("refusals: 401 only for a viewer who could sign in, 403 for everything else, never a TypeError", () => {
    assert.equal(codeOf(accessFor(operator, config)), "allowed");
    assert.equal(codeOf(accessFor(undefined, config)), "unauthorized: Sign in as an operator to use actions.");
    assert.match(
      codeOf(accessFor(operator, { ...config, WARREN_READ_ONLY: true })),
      /^forbidden: Warren runs read-only/,
    );
    assert.match(
      codeOf(accessFor(undefined, { ...config, WARREN_READ_ONLY: true })),
      /^forbidden: Warren runs read-only/,
    );
    assert.match(codeOf(accessFor(undefined, { ...config, WARREN_ADMIN_PASSWORD: undefined })), /^forbidden: Actions/);
    assert.equal(
      codeOf({ role: "viewer", canAct: false, signInEnabled: true, reason: null }),
      "forbidden: Not allowed.",
    );
    assert.equal(
      codeOf({ role: "operator", canAct: false, signInEnabled: true, reason: "Sign in again" }),
      "forbidden: Sign in again",
    );
    assert.equal(
      codeOf({ role: "viewer", canAct: false, signInEnabled: false, reason: "Sign in" }),
      "forbidden: Sign in",
    );
  });

  it("reads the session cookie among others, decoded, with '=' in its value kept", () => {
    assert.equal(sessionTokenFromCookieHeader("a=1; warren_session=abc%3D%3D=x.y; b=2"), "abc===x.y");
    assert.equal(sessionTokenFromCookieHeader("warren_session_old=1"), undefined);
    assert.equal(sessionTokenFromCookieHeader(""), undefined);
    assert.equal(sessionTokenFromCookieHeader(null), undefined);
  });
});
