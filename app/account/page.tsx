import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ActionForm } from "@/components/account/action-form";
import { sessionsOfUser } from "@/lib/auth/accounts";
import { currentAccess } from "@/lib/auth/server";
import { revokeSessionAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your account — Warren" };

export default async function AccountPage() {
  const access = await currentAccess();
  if (!access.user) redirect("/login?next=/account");
  const sessions = await sessionsOfUser(access.user.id);
  return (
    <main id="main" className="mx-auto max-w-3xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Your account</h1>
      <p className="mt-2 text-sm" data-testid="account-who">
        Signed in as <strong>{access.user.name}</strong> ({access.user.role}).
      </p>
      <h2 className="mt-6 text-lg font-semibold">Your sessions</h2>
      <ul className="mt-2 flex flex-col gap-2" data-testid="sessions">
        {sessions.map((session) => (
          <li key={session.id} className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800">
            <div>
              Started {new Date(session.createdAt).toISOString()}, last seen{" "}
              {new Date(session.lastSeenAt).toISOString()}
              {session.id === access.sessionId ? " (this one)" : ""}
            </div>
            <div className="text-slate-600 dark:text-slate-400">
              {session.client ?? "?"} · {session.userAgent ?? "unknown browser"}
            </div>
            <ActionForm action={revokeSessionAction} submit="End this session">
              <input type="hidden" name="session" value={session.id} />
            </ActionForm>
          </li>
        ))}
      </ul>
    </main>
  );
}
