import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessFor, assertCanAct, requireRole } from "../../lib/auth/access";
import { sessionTokenFromCookieHeader } from "../../lib/auth/cookies";
import { hashPassword, verifyPassword } from "../../lib/auth/password";
import { isWellFormedToken, newSessionToken, sessionIdOf } from "../../lib/auth/session";

const config = { WARREN_READ_ONLY: false, signInEnabled: true };
const session = (role: "viewer" | "operator" | "admin") => ({ id: "s1", user: { id: 1, name: "alice", role } });
const statusOf = (run: () => void) => {
  try {
    run();
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
};

describe("sessions", () => {
  it("are random and unique, stored by hash", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSessionToken()));
    assert.equal(tokens.size, 1000);
    const token = [...tokens][0] as string;
    assert.ok(isWellFormedToken(token));
    assert.notEqual(sessionIdOf(token), token);
    assert.equal(isWellFormedToken("a.b"), false);
  });

  it("hash passwords with scrypt, salted, and verify them", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    assert.match(a, /^scrypt\$32768\$8\$1\$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword("correct horse battery", a), true);
    assert.equal(await verifyPassword("wrong", a), false);
  });
});

describe("roles", () => {
  it("lets an operator and an admin act, not a viewer (403) nor an anonymous visitor (401)", () => {
    assert.equal(accessFor(session("operator"), config).canAct, true);
    assert.equal(accessFor(session("admin"), config).canAct, true);
    assert.equal(
      statusOf(() => assertCanAct(accessFor(session("viewer"), config))),
      403,
    );
    assert.equal(
      statusOf(() => assertCanAct(accessFor(null, config))),
      401,
    );
  });

  it("decides 401 vs 403 by the refusal, not by its words", () => {
    const anonymous = accessFor(null, config);
    assert.equal(
      statusOf(() => requireRole({ ...anonymous, reason: "Something else entirely" }, "operator", config)),
      401,
    );
  });

  it("keeps user management for admins", () => {
    assert.equal(
      statusOf(() => requireRole(accessFor(session("operator"), config), "admin", config)),
      403,
    );
    assert.equal(
      statusOf(() => requireRole(accessFor(session("admin"), config), "admin", config)),
      200,
    );
  });

  it("disables actions when no account exists, and says how to enable them (403)", () => {
    const access = accessFor(null, { ...config, signInEnabled: false });
    assert.match(access.reason ?? "", /WARREN_ADMIN_PASSWORD/);
    assert.equal(
      statusOf(() => assertCanAct(access)),
      403,
    );
  });

  it("turns every action off in read-only mode, even for an admin (403)", () => {
    const access = accessFor(session("admin"), { ...config, WARREN_READ_ONLY: true });
    assert.equal(access.canAct, false);
    assert.equal(
      statusOf(() => assertCanAct(access)),
      403,
    );
  });

  it("reads the cookie from a header; bad percent-encoding is no session, not an exception", () => {
    assert.equal(sessionTokenFromCookieHeader("a=1; warren_session=abc; b=2"), "abc");
    assert.equal(sessionTokenFromCookieHeader("warren_session=%ZZ"), undefined);
    assert.equal(sessionTokenFromCookieHeader(null), undefined);
  });
});
