import type { Metadata } from "next";
import { SignInForm } from "@/components/sign-in-form";
import { currentAccess } from "@/lib/auth/server";
import { env } from "@/lib/config/env";
import { safeNext } from "@/lib/http/safe-next";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in — Warren" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const params = await searchParams;
  const next = safeNext(params.next);
  const access = await currentAccess();
  const config = env();
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-10">
      <h1 className="text-2xl font-bold tracking-tight">Sign in</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Everyone can watch. Purging, publishing, peeking and pausing consumers need an operator.
      </p>
      {params.signedOut ? (
        <p role="status" className="mt-4 rounded-lg bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800">
          You are signed out.
        </p>
      ) : null}
      {!access.signInEnabled ? (
        <p
          role="alert"
          data-testid="signin-disabled"
          className="mt-6 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          Sign-in is disabled because no account exists. Set <code>WARREN_ADMIN_PASSWORD</code> (8+ characters) in
          Warren&apos;s environment and restart it, or add a user with{" "}
          <code>npm run user -- add NAME --role operator</code>.
        </p>
      ) : access.user ? (
        <p className="mt-6 text-sm" data-testid="already-signed-in">
          You are signed in as {access.user.name} ({access.user.role}). <a href="/account">Your account</a>.
          {access.reason ? ` ${access.reason}` : ""}
        </p>
      ) : (
        <>
          {config.WARREN_READ_ONLY ? (
            <p className="mt-4 text-sm text-amber-800 dark:text-amber-300">
              Warren runs read-only (WARREN_READ_ONLY=1): even signed in, all actions stay off.
            </p>
          ) : null}
          <SignInForm next={next} />
        </>
      )}
    </main>
  );
}
