"use client";

import { useActionState, useEffect, useId, useRef, useState } from "react";
import {
  type ActionState,
  type PeekState,
  peekAction,
  publishTestAction,
  purgeAction,
} from "@/app/queues/[name]/actions";
import type { ClientAccess } from "@/components/access-notice";
import { AccessNotice } from "@/components/access-notice";
import { count } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { StatusLine } from "@/components/ui/status-line";

const idle: ActionState = { status: "idle", message: "" };
const idlePeek: PeekState = { status: "idle", message: "" };

/** An action's outcome in the shared status line. */
export function Status({ state, pending, testId }: { state: ActionState; pending: boolean; testId: string }) {
  return (
    <StatusLine testId={testId} data-status={pending ? "pending" : state.status} error={state.status === "error"}>
      {pending ? "Working…" : state.message}
    </StatusLine>
  );
}

function FieldError({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700 dark:text-red-300">
      {messages.join("; ")}
    </p>
  );
}

export function QueueActions({
  queue,
  ready,
  access,
  onDone,
  peekNote = null,
}: {
  queue: string;
  ready: number | null;
  access: ClientAccess;
  onDone: () => void;
  /** What a peek costs on this queue (a quorum queue counts it as a delivery), or null. */
  peekNote?: string | null;
}) {
  return (
    <section
      aria-labelledby="actions-heading"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id="actions-heading" className="font-semibold">
        Operator actions
      </h2>
      <AccessNotice access={access} />
      <div className="mt-3 grid gap-6 lg:grid-cols-3">
        <PurgeForm queue={queue} ready={ready} disabled={!access.canAct} onDone={onDone} />
        <PublishForm queue={queue} disabled={!access.canAct} onDone={onDone} />
        <PeekForm queue={queue} disabled={!access.canAct} note={peekNote} />
      </div>
    </section>
  );
}

function PurgeForm({
  queue,
  ready,
  disabled,
  onDone,
}: {
  queue: string;
  ready: number | null;
  disabled: boolean;
  onDone: () => void;
}) {
  const [state, action, pending] = useActionState(purgeAction, idle);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (state.at) {
      setConfirming(false);
      onDone();
    }
  }, [state.at, onDone]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  return (
    <div>
      <h3 className="text-sm font-semibold">Purge</h3>
      <p className="text-xs text-slate-600 dark:text-slate-400">Deletes every ready message. Cannot be undone.</p>
      {confirming ? (
        <form
          action={action}
          className="mt-2 rounded-lg border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950"
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              setConfirming(false);
              openRef.current?.focus();
            }
          }}
        >
          <input type="hidden" name="queue" value={queue} />
          <input type="hidden" name="confirm" value="purge" />
          <p className="text-sm text-red-900 dark:text-red-100" id="purge-confirm-text">
            Purge {count(ready)} ready message{ready === 1 ? "" : "s"} from <code>{queue}</code>?
          </p>
          <div className="mt-2 flex gap-2">
            <button
              ref={confirmRef}
              type="submit"
              disabled={pending}
              aria-describedby="purge-confirm-text"
              className={buttonClass("danger")}
            >
              Yes, purge
            </button>
            <button type="button" onClick={() => setConfirming(false)} className={buttonClass("neutral")}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button
          ref={openRef}
          type="button"
          disabled={disabled}
          onClick={() => setConfirming(true)}
          className={buttonClass("danger", "mt-2")}
        >
          Purge…
        </button>
      )}
      <div className="mt-2">
        <Status state={state} pending={pending} testId="purge-status" />
      </div>
    </div>
  );
}

const EXAMPLE = JSON.stringify({ orderId: "test-0001", item: "book", quantity: 1 }, null, 2);

function jsonProblem(text: string): string | null {
  if (text.trim() === "") return "message body is required";
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
}

function PublishForm({ queue, disabled, onDone }: { queue: string; disabled: boolean; onDone: () => void }) {
  const [state, action, pending] = useActionState(publishTestAction, idle);
  const [body, setBody] = useState(EXAMPLE);
  const id = useId();
  const problem = jsonProblem(body);
  const serverError = state.fieldErrors?.body;
  useEffect(() => {
    if (state.at) onDone();
  }, [state.at, onDone]);
  return (
    <form action={action} noValidate>
      <h3 className="text-sm font-semibold">Publish a test message</h3>
      <input type="hidden" name="queue" value={queue} />
      <label htmlFor={`${id}-body`} className="text-xs text-slate-600 dark:text-slate-400">
        JSON body (validated as you type; published persistent, with a broker confirm)
      </label>
      <textarea
        id={`${id}-body`}
        name="body"
        rows={6}
        spellCheck={false}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        aria-invalid={problem || serverError ? true : undefined}
        aria-describedby={`${id}-error`}
        className={`mt-1 block w-full rounded-lg border bg-white px-2 py-1.5 font-mono text-xs outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:bg-slate-950 ${
          problem || serverError ? "border-red-500" : "border-slate-300 dark:border-slate-700"
        }`}
      />
      <p id={`${id}-error`} className="mt-1 text-xs text-red-700 dark:text-red-300" data-testid="json-error">
        {problem ?? serverError?.join("; ") ?? ""}
      </p>
      <div className="mt-2 flex items-center gap-2">
        <button type="submit" disabled={disabled || pending || problem !== null} className={buttonClass("primary")}>
          Publish
        </button>
        <button
          type="button"
          disabled={problem !== null}
          onClick={() => setBody(JSON.stringify(JSON.parse(body), null, 2))}
          className={buttonClass("neutral")}
        >
          Format
        </button>
      </div>
      <div className="mt-2">
        <Status state={state} pending={pending} testId="publish-status" />
      </div>
    </form>
  );
}

function PeekForm({ queue, disabled, note }: { queue: string; disabled: boolean; note: string | null }) {
  const [state, action, pending] = useActionState(peekAction, idlePeek);
  const id = useId();
  return (
    <div>
      <form action={action} noValidate>
        <h3 className="text-sm font-semibold">Peek at messages</h3>
        <p className="text-xs text-amber-800 dark:text-amber-300">
          Uses the management API&apos;s get with ack_requeue_true: the messages go back to the queue but are marked
          <strong> redelivered</strong>.
        </p>
        {note ? (
          <p className="mt-1 text-xs font-medium text-amber-800 dark:text-amber-300" data-testid="peek-delivery-limit">
            {note}
          </p>
        ) : null}
        <input type="hidden" name="queue" value={queue} />
        <div className="mt-2 flex items-end gap-2">
          <div>
            <label htmlFor={`${id}-count`} className="text-xs text-slate-600 dark:text-slate-400">
              How many (1–50)
            </label>
            <input
              id={`${id}-count`}
              name="count"
              type="number"
              min={1}
              max={50}
              defaultValue={5}
              aria-invalid={state.fieldErrors?.count ? true : undefined}
              className="mt-1 block w-20 rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
            />
          </div>
          <button type="submit" disabled={disabled || pending} className={buttonClass("strong")}>
            Peek
          </button>
        </div>
        <FieldError id={`${id}-count-error`} messages={state.fieldErrors?.count} />
        <div className="mt-2">
          <Status state={state} pending={pending} testId="peek-status" />
        </div>
      </form>
      {state.messages?.length ? (
        <ol className="mt-2 flex max-h-80 flex-col gap-2 overflow-auto" data-testid="peeked">
          {state.messages.map((m, i) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: peeked messages have no stable id of their own
              key={i}
              className="rounded-lg border border-slate-200 p-2 text-xs dark:border-slate-700"
              data-testid="peeked-message"
            >
              <p className="text-slate-600 dark:text-slate-400">
                #{i + 1} · {m.payload_bytes} bytes · {m.redelivered ? "redelivered" : "first delivery"}
                {typeof m.properties.message_id === "string" ? ` · ${m.properties.message_id}` : ""}
              </p>
              <pre className="mt-1 whitespace-pre-wrap break-all font-mono">{m.payload}</pre>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
