"use client";

import { useActionState } from "react";
import { type SignInState, signInAction } from "@/app/login/actions";
import { buttonClass } from "@/components/ui/button";

const initial: SignInState = { status: "idle", message: "" };

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signInAction, initial);
  const error = state.fieldErrors?.password?.[0];
  return (
    <form
      action={action}
      noValidate
      className="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <input type="hidden" name="next" value={next} />
      <label htmlFor="name" className="text-sm font-medium">
        User name
      </label>
      <input
        id="name"
        name="name"
        type="text"
        autoComplete="username"
        placeholder="admin"
        className="mt-1 mb-3 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:border-slate-700 dark:bg-slate-950"
      />
      <label htmlFor="password" className="text-sm font-medium">
        Password
      </label>
      <input
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "password-error" : undefined}
        className={`mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:bg-slate-950 ${
          error ? "border-red-500" : "border-slate-300 dark:border-slate-700"
        }`}
      />
      {error ? (
        <p id="password-error" className="mt-1 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <div className="mt-4 flex items-center gap-3">
        <button type="submit" disabled={pending} className={buttonClass("primary", "px-4 py-2 font-semibold")}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
        <p role="status" aria-live="polite" className="text-sm text-red-700 dark:text-red-300">
          {state.status === "error" ? state.message : ""}
        </p>
      </div>
    </form>
  );
}
