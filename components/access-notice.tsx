import type { ClientAccess } from "./queue-detail";
import { SignInLink } from "./sign-in-link";

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
