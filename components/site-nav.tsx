import { signOutAction } from "@/app/login/actions";
import { currentAccess } from "@/lib/auth/server";
import { env } from "@/lib/config/env";
import { type NavLink, NavLinks } from "./nav-links";
import { SignInLink } from "./sign-in-link";

/**
 * The pages, in the order an operator uses them. The dead-letter workbench
 * ("/dead-letters") and order trace ("/trace") slot in after Queues.
 */
export const NAV_LINKS: NavLink[] = [
  { href: "/", label: "Dashboard" },
  { href: "/broker", label: "Broker" },
  { href: "/queues", label: "Queues" },
  { href: "/connections", label: "Connections" },
  { href: "/exchanges", label: "Exchanges" },
  { href: "/dead-letters", label: "Dead letters" },
  { href: "/trace", label: "Trace" },
  { href: "/alerts", label: "Alerts" },
  { href: "/audit", label: "Audit log" },
];

export async function SiteNav({ links = NAV_LINKS }: { links?: NavLink[] }) {
  const access = await currentAccess();
  const readOnly = env().WARREN_READ_ONLY;
  const roleLabel = access.role === "operator" ? "operator" : "viewer";
  return (
    <nav
      aria-label="Main"
      className="border-b border-slate-200 bg-white/80 dark:border-slate-800 dark:bg-slate-900/80"
      data-testid="site-nav"
    >
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2 sm:px-6">
        <NavLinks links={links} />
        <div className="flex items-center gap-2 text-sm">
          <span
            data-testid="role"
            data-role={roleLabel}
            title={access.reason ?? "Operator actions are enabled."}
            className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${
              access.role === "operator"
                ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"
                : "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300"
            }`}
          >
            {roleLabel}
            {readOnly ? " · read-only" : ""}
          </span>
          {access.user ? (
            <a
              href={access.user.role === "admin" ? "/users" : "/account"}
              data-testid="account-link"
              className="rounded-md px-2 py-1.5 font-medium text-slate-700 outline-none hover:bg-slate-200 focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              {access.user.name}
            </a>
          ) : null}
          {access.user ? (
            <form action={signOutAction}>
              <button
                type="submit"
                className="rounded-md px-3 py-1.5 font-medium text-slate-700 outline-none hover:bg-slate-200 focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                Sign out
              </button>
            </form>
          ) : access.signInEnabled ? (
            <SignInLink className="rounded-md px-3 py-1.5 font-medium text-emerald-700 outline-none hover:bg-emerald-50 focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-emerald-300 dark:hover:bg-emerald-950">
              Sign in
            </SignInLink>
          ) : (
            <a
              href="/login"
              title={access.reason ?? undefined}
              className="rounded-md px-3 py-1.5 text-xs text-slate-600 outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-slate-400"
            >
              Actions off — how to enable
            </a>
          )}
        </div>
      </div>
    </nav>
  );
}
