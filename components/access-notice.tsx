import { SignInLink } from "./sign-in-link";

/** What a client component knows of the viewer's rights (decided on the server, re-checked by every action). */
export interface ClientAccess {
  canAct: boolean;
  reason: string | null;
  role: "operator" | "viewer";
  signInEnabled: boolean;
}

/** Says why the buttons are off, and how to turn them on. */
export function AccessNotice({ access }: { access: ClientAccess }) {
  if (access.canAct) return null;
  return (
    <p data-testid="access-notice" className="mt-2 text-sm text-slate-600 dark:text-slate-400">
      {access.reason}{" "}
      {access.signInEnabled && access.role === "viewer" ? (
        <SignInLink className="font-medium text-emerald-700 underline dark:text-emerald-300">Sign in</SignInLink>
      ) : null}
    </p>
  );
}
