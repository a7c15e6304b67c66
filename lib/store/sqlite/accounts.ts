import { AccountStore } from "../accounts";
import type { Db } from "../db";
import type { AccountsStore } from "../store";

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE";

/** Accounts and sessions on SQLite: the synchronous AccountStore (migration 2's tables) behind the async interface. */
export function sqliteAccounts(db: Db): AccountsStore {
  const store = new AccountStore(db);
  return {
    userByName: async (name) => store.userByName(name),
    userById: async (id) => store.userById(id),
    users: async () => store.users(),
    countEnabledUsers: async () => store.countEnabledUsers(),
    addUser: async (name, role, passwordHash, source, now) => {
      try {
        return store.addUser(name, role, passwordHash, source, now);
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },
    setPassword: async (userId, passwordHash, now) => store.setPassword(userId, passwordHash, now),
    setRole: async (userId, role) => store.setRole(userId, role),
    setDisabled: async (userId, disabled, now) => store.setDisabled(userId, disabled, now),
    createSession: async (session) => store.createSession(session),
    sessionWithUser: async (id) => store.sessionWithUser(id),
    touchSession: async (id, now) => store.touchSession(id, now),
    sessionsOf: async (userId) => store.sessionsOf(userId),
    revokeSession: async (id, now) => store.revokeSession(id, now),
    revokeUserSessions: async (userId, now) => store.revokeUserSessions(userId, now),
    pruneSessions: async (before) => store.pruneSessions(before),
  };
}
