import type { ReactNode } from "react";

/**
 * The one place an action's outcome is announced: a polite live region
 * (vercel/commerce's add-to-cart pattern), red when it failed.
 */
export function StatusLine({
  children,
  error = false,
  testId,
  className = "",
  ...data
}: {
  children: ReactNode;
  error?: boolean;
  testId?: string;
  className?: string;
  "data-status"?: string;
}) {
  return (
    <p
      role="status"
      aria-live="polite"
      data-testid={testId}
      className={`min-h-[1.25rem] text-sm ${error ? "text-red-700 dark:text-red-300" : "text-slate-700 dark:text-slate-300"} ${className}`}
      {...data}
    >
      {children}
    </p>
  );
}

export type NoticeTone = "danger" | "warning" | "info";

const tones: Record<NoticeTone, string> = {
  danger: "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200",
  warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100",
  info: "border-slate-300 bg-slate-100 text-slate-800 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100",
};

/** A boxed message: the broker-down banner, a refusal, limited mode. */
export function Notice({
  tone,
  role,
  testId,
  className = "",
  children,
}: {
  tone: NoticeTone;
  role?: "alert" | "status";
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div role={role} data-testid={testId} className={`rounded-lg border px-4 py-3 text-sm ${tones[tone]} ${className}`}>
      {children}
    </div>
  );
}
