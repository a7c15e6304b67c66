import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ensureEnvAdmin, isSessionLive } from "../../lib/auth/accounts";
import { verifyPasswordSync } from "../../lib/auth/password";
import { AccountStore } from "../../lib/store/accounts";
import { openDb } from "../../lib/store/db";
import { sqliteAccounts } from "../../lib/store/sqlite/accounts";

const dir = mkdtempSync(join(tmpdir(), "warren-accounts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("accounts store (real SQLite file)", () => {
  const db = openDb(join(dir, "a.db"));
  const store = new AccountStore(db);

  it("makes the first admin from WARREN_ADMIN_PASSWORD, and a new password ends its sessions", async () => {
    await ensureEnvAdmin(sqliteAccounts(db), { WARREN_ADMIN_PASSWORD: "first-password" });
    const admin = store.userByName("admin");
    assert.equal(admin?.role, "admin");
    assert.ok(verifyPasswordSync("first-password", admin?.passwordHash ?? ""));
    store.createSession({
      id: "s-admin",
      userId: admin?.id ?? 0,
      createdAt: Date.now(),
      client: null,
      userAgent: null,
    });
    await ensureEnvAdmin(sqliteAccounts(db), { WARREN_ADMIN_PASSWORD: "first-password" });
    assert.equal(store.sessionsOf(admin?.id ?? 0).length, 1, "same password: sessions stay");
    await ensureEnvAdmin(sqliteAccounts(db), { WARREN_ADMIN_PASSWORD: "second-password" });
    assert.ok(verifyPasswordSync("second-password", store.userByName("admin")?.passwordHash ?? ""));
    assert.equal(store.sessionsOf(admin?.id ?? 0).length, 0, "new password: sessions ended");
  });

  it("lists and revokes sessions; disabling a user ends them all", () => {
    const bob = store.addUser("bob", "operator", "x", "cli");
    for (const id of ["b1", "b2"])
      store.createSession({ id, userId: bob.id, createdAt: Date.now(), client: "1.2.3.4", userAgent: null });
    assert.equal(store.sessionsOf(bob.id).length, 2);
    assert.equal(store.revokeSession("b1"), true);
    assert.equal(store.revokeSession("b1"), false);
    assert.deepEqual(
      store.sessionsOf(bob.id).map((s) => s.id),
      ["b2"],
    );
    store.setDisabled(bob.id, true);
    assert.equal(store.sessionsOf(bob.id).length, 0);
    assert.equal(store.sessionWithUser("b2")?.user.disabled, true);
  });

  it("names are unique whatever their case", () => {
    assert.throws(() => store.addUser("BOB", "viewer", "x", "cli"), /UNIQUE/);
  });
});

describe("session timeouts", () => {
  const config = { WARREN_SESSION_IDLE_S: 1800, WARREN_SESSION_MAX_S: 28_800 };
  const t0 = 1_000_000_000_000;
  const session = (over: Partial<{ revokedAt: number | null; lastSeenAt: number; disabled: boolean }> = {}) => ({
    createdAt: t0,
    lastSeenAt: over.lastSeenAt ?? t0,
    revokedAt: over.revokedAt ?? null,
    user: { disabled: over.disabled ?? false },
  });
  it("ends after the idle timeout, the absolute timeout, revocation or a disabled user", () => {
    assert.equal(isSessionLive(session(), t0 + 60_000, config), true);
    assert.equal(isSessionLive(session(), t0 + 1801_000, config), false, "idle");
    assert.equal(isSessionLive(session({ lastSeenAt: t0 + 28_000_000 }), t0 + 28_801_000, config), false, "absolute");
    assert.equal(isSessionLive(session({ lastSeenAt: t0 + 28_000_000 }), t0 + 28_700_000, config), true);
    assert.equal(isSessionLive(session({ revokedAt: t0 }), t0 + 1, config), false, "revoked");
    assert.equal(isSessionLive(session({ disabled: true }), t0 + 1, config), false, "disabled");
  });
});
