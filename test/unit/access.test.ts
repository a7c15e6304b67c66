import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessFor, assertCanAct, sessionTokenFromCookieHeader } from "../../lib/auth/access";
import { passwordMatches, sessionSecret, signSession, verifySession } from "../../lib/auth/session";

const password = "correct horse battery";
const secret = sessionSecret(password);
const valid = signSession({ sub: "operator", exp: Date.now() / 1000 + 60 }, secret);
const config = { WARREN_ADMIN_PASSWORD: password, WARREN_SESSION_SECRET: undefined, WARREN_READ_ONLY: false };

describe("sessions", () => {
  it("verifies its own token and refuses a tampered, expired or foreign one", () => {
    assert.ok(verifySession(valid, secret));
    assert.equal(verifySession(`${valid}x`, secret), null);
    assert.equal(verifySession(valid, sessionSecret("another password")), null);
    const expired = signSession({ sub: "operator", exp: 1 }, secret);
    assert.equal(verifySession(expired, secret), null);
    const forged = `${Buffer.from(JSON.stringify({ sub: "operator", exp: 9e12 })).toString("base64url")}.${valid.split(".")[1]}`;
    assert.equal(verifySession(forged, secret), null);
  });

  it("compares passwords", () => {
    assert.equal(passwordMatches(password, password), true);
    assert.equal(passwordMatches("wrong", password), false);
  });
});

describe("accessFor", () => {
  it("lets a signed-in operator act", () => {
    const access = accessFor(valid, config);
    assert.deepEqual([access.role, access.canAct], ["operator", true]);
    assert.doesNotThrow(() => assertCanAct(access));
  });

  it("asks a viewer to sign in (401)", () => {
    const access = accessFor(undefined, config);
    assert.equal(access.canAct, false);
    assert.throws(
      () => assertCanAct(access),
      (e: Error & { status?: number }) => e.status === 401,
    );
  });

  it("disables actions without a configured password, and says how to enable them (403)", () => {
    const access = accessFor(valid, { ...config, WARREN_ADMIN_PASSWORD: undefined });
    assert.equal(access.canAct, false);
    assert.match(access.reason ?? "", /WARREN_ADMIN_PASSWORD/);
    assert.throws(
      () => assertCanAct(access),
      (e: Error & { status?: number }) => e.status === 403,
    );
  });

  it("turns every action off in read-only mode, even for an operator (403)", () => {
    const access = accessFor(valid, { ...config, WARREN_READ_ONLY: true });
    assert.equal(access.role, "operator");
    assert.equal(access.canAct, false);
    assert.throws(
      () => assertCanAct(access),
      (e: Error & { status?: number }) => e.status === 403,
    );
  });

  it("reads the cookie from a header", () => {
    assert.equal(sessionTokenFromCookieHeader(`a=1; warren_session=${valid}; b=2`), valid);
    assert.equal(sessionTokenFromCookieHeader(null), undefined);
  });
});
