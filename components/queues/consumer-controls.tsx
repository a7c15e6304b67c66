"use client";

import { useActionState, useEffect, useId } from "react";
import { type ActionState, consumerControlAction } from "@/app/queues/[name]/actions";
import type { ClientAccess } from "@/components/access-notice";
import { AccessNotice } from "@/components/access-notice";
import { buttonClass } from "@/components/ui/button";
import { DEFAULT_PREFETCH } from "@/lib/payments/prefetch";
import { isStandbyReason } from "@/lib/payments/standby";
import { Status } from "./queue-actions";

const idle: ActionState = { status: "idle", message: "" };

/** This process's consumer, as the queue page reads it (null: no consumer runs in this process). */
type ConsumerView = { paused: boolean; running: boolean; prefetch: number; inFlight: number; reason?: string | null };

/** Paused because every consumer seat is taken, not by an operator. */
function standsBy(state: ConsumerView | null): boolean {
  return state?.paused === true && isStandbyReason(state.reason);
}

/** The consumer-state badge's text, also its data-state (which the e2e specs match). */
function labelOf(state: ConsumerView | null): string {
  if (state === null) return "not running here";
  if (standsBy(state)) return "standing by";
  if (state.paused) return "paused";
  return state.running ? "consuming" : "starting";
}

export function ConsumerControls({
  state,
  access,
  onDone,
}: {
  state: ConsumerView | null;
  access: ClientAccess;
  onDone: () => void;
}) {
  const [result, action, pending] = useActionState(consumerControlAction, idle);
  const id = useId();
  useEffect(() => {
    if (result.at) onDone();
  }, [result.at, onDone]);
  const disabled = !access.canAct || pending;
  const standingBy = standsBy(state);
  const label = labelOf(state);
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${id}-heading`} className="font-semibold">
          Warren&apos;s payment consumers
        </h2>
        <p className="text-sm">
          This process:{" "}
          <span data-testid="consumer-state" data-state={label} className="font-semibold">
            {label}
          </span>
          {state ? ` · prefetch ${state.prefetch} · ${state.inFlight} in flight` : ""}
        </p>
      </div>
      {standingBy ? (
        <p data-testid="consumer-standby" className="mt-1 text-sm text-amber-800 dark:text-amber-300">
          This process&apos;s consumer is {state?.reason}. It takes over, within a second, when one of them stops.
        </p>
      ) : null}
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Commands go to every Warren process (web and workers) through the <code>warren.control</code> fanout exchange.
        While paused the channel stays open and the queue grows; resume drains it.
      </p>
      <AccessNotice access={access} />
      <form action={action} className="mt-3 flex flex-wrap items-end gap-2">
        <button type="submit" name="command" value="pause" disabled={disabled} className={buttonClass("warning")}>
          Pause consumers
        </button>
        <button type="submit" name="command" value="resume" disabled={disabled} className={buttonClass("primary")}>
          Resume consumers
        </button>
      </form>
      <form action={action} noValidate className="mt-3 flex flex-wrap items-end gap-2">
        <input type="hidden" name="command" value="prefetch" />
        <div>
          <label htmlFor={`${id}-prefetch`} className="text-xs text-slate-600 dark:text-slate-400">
            Prefetch (1–10000)
          </label>
          <input
            id={`${id}-prefetch`}
            name="prefetch"
            type="number"
            min={1}
            max={10000}
            defaultValue={state?.prefetch ?? DEFAULT_PREFETCH}
            aria-invalid={result.fieldErrors?.prefetch ? true : undefined}
            aria-describedby={`${id}-prefetch-hint ${id}-prefetch-error`}
            className="mt-1 block w-28 rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
          />
        </div>
        <button type="submit" disabled={disabled} className={buttonClass("strong")}>
          Set prefetch
        </button>
        <p id={`${id}-prefetch-hint`} className="w-full text-xs text-slate-600 dark:text-slate-400">
          Deliveries a consumer holds unacked; it pays up to half of them per batch. {DEFAULT_PREFETCH} unless PREFETCH
          says otherwise: bigger drains a backlog faster, smaller shares a trickle more evenly between workers.
        </p>
        <p id={`${id}-prefetch-error`} className="w-full text-sm text-red-700 dark:text-red-300">
          {result.fieldErrors?.prefetch?.join("; ") ?? ""}
        </p>
      </form>
      <Status state={result} pending={pending} testId="consumer-status" />
    </section>
  );
}
