"use client";

import { type ReactNode, useActionState } from "react";
import type { ActionState } from "@/lib/http/action";

/** A small form around one server action, with its answer in a polite live region. */
export function ActionForm({
  action,
  children,
  submit,
  testId,
}: {
  action: (previous: ActionState, formData: FormData) => Promise<ActionState>;
  children?: ReactNode;
  submit: string;
  testId?: string;
}) {
  const [state, run, pending] = useActionState(action, { status: "idle", message: "" });
  return (
    <form action={run} className="flex flex-wrap items-center gap-2" data-testid={testId}>
      {children}
      <button
        type="submit"
        disabled={pending}
        className="rounded-lg border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        {submit}
      </button>
      <span role="status" aria-live="polite" className={state.status === "error" ? "text-sm text-red-600" : "text-sm"}>
        {state.message}
      </span>
    </form>
  );
}
