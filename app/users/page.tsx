import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ActionForm } from "@/components/account/action-form";
import { hasRole } from "@/lib/auth/access";
import { accountStore, sessionsOfUser } from "@/lib/auth/accounts";
import { currentAccess } from "@/lib/auth/server";
import { revokeSessionAction } from "../account/actions";
import { addUserAction, changeUserAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users — Warren" };

const input = "rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950";

export default async function UsersPage() {
  const access = await currentAccess();
  if (!access.user) redirect("/login?next=/users");
  if (!hasRole(access, "admin")) {
    return (
      <main id="main" className="mx-auto max-w-3xl px-4 py-6">
        <h1 className="text-2xl font-bold tracking-tight">Users</h1>
        <p role="alert" className="mt-4 text-sm" data-testid="users-forbidden">
          Only an admin may manage users.
        </p>
      </main>
    );
  }
  const users = await (await accountStore()).users();
  const sessions = await Promise.all(users.map((user) => sessionsOfUser(user.id)));
  return (
    <main id="main" className="mx-auto max-w-4xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Users</h1>
      <section className="mt-4">
        <h2 className="text-lg font-semibold">Add a user</h2>
        <ActionForm action={addUserAction} submit="Add user" testId="add-user">
          <input name="name" aria-label="Name" placeholder="name" className={input} />
          <select name="role" aria-label="Role" className={input} defaultValue="viewer">
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
          <input name="password" type="password" aria-label="Password" placeholder="password" className={input} />
        </ActionForm>
      </section>
      <ul className="mt-6 flex flex-col gap-3" data-testid="users">
        {users.map((user, index) => (
          <li key={user.id} className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800">
            <div className="font-semibold">
              {user.name} · {user.role}
              {user.disabled ? " · disabled" : ""}
            </div>
            <ActionForm action={changeUserAction} submit="Apply">
              <input type="hidden" name="name" value={user.name} />
              <select name="change" aria-label={`Change ${user.name}`} className={input} defaultValue="end-sessions">
                <option value="viewer">make viewer</option>
                <option value="operator">make operator</option>
                <option value="admin">make admin</option>
                <option value={user.disabled ? "enable" : "disable"}>{user.disabled ? "enable" : "disable"}</option>
                <option value="end-sessions">end all sessions</option>
              </select>
            </ActionForm>
            <ul className="mt-2 flex flex-col gap-1">
              {(sessions[index] ?? []).map((session) => (
                <li key={session.id} className="flex flex-wrap items-center gap-2 text-slate-600 dark:text-slate-400">
                  session from {new Date(session.createdAt).toISOString()} ({session.client ?? "?"})
                  <ActionForm action={revokeSessionAction} submit="End">
                    <input type="hidden" name="session" value={session.id} />
                  </ActionForm>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </main>
  );
}
