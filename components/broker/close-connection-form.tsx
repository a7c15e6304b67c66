"use client";

import { useActionState, useId } from "react";
import { type CloseState, closeConnectionAction } from "@/app/connections/[name]/actions";
import type { ClientAccess } from "../access-notice";
import { AccessNotice } from "../access-notice";
import { Status } from "../queues/queue-actions";
import { buttonClass } from "../ui/button";
import { card } from "./styles";

const idle: CloseState = { status: "idle", message: "" };

export function CloseConnectionForm({ name, access }: { name: string; access: ClientAccess }) {
  const [state, action, pending] = useActionState(closeConnectionAction, idle);
  const reasonId = useId();
  const errorId = useId();
  const reasonErrors = state.fieldErrors?.reason;
  return (
    <section aria-labelledby="close-heading" className={`${card} p-4`}>
      <h2 id="close-heading" className="font-semibold">
        Close this connection
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        The client receives your reason in the close frame; a well-written client reconnects. Recorded in the audit log.
      </p>
      <AccessNotice access={access} />
      <form action={action} className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end">
        <input type="hidden" name="name" value={name} />
        <div className="flex-1">
          <label htmlFor={reasonId} className="text-sm font-medium">
            Reason
          </label>
          <input
            id={reasonId}
            name="reason"
            required
            minLength={3}
            maxLength={200}
            disabled={!access.canAct}
            aria-invalid={reasonErrors ? true : undefined}
            aria-describedby={reasonErrors ? errorId : undefined}
            placeholder="e.g. stuck publisher, restarting it"
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:border-slate-700 dark:bg-slate-950"
          />
          {reasonErrors ? (
            <p id={errorId} className="mt-1 text-sm text-red-600 dark:text-red-400">
              {reasonErrors.join("; ")}
            </p>
          ) : null}
        </div>
        <button type="submit" disabled={!access.canAct || pending} className={buttonClass("danger")}>
          Close connection
        </button>
      </form>
      <div className="mt-2">
        <Status state={state} pending={pending} testId="close-status" />
      </div>
    </section>
  );
}
