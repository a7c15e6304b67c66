"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useTransition } from "react";
import { type DeadLetterActionState, deadLetterAction, dryRunAction } from "@/app/dead-letters/actions";
import type { AuditEntry } from "@/lib/audit/log";
import type { DeadLetter } from "@/lib/deadletters/decode";
import { diffLines, editableText, isRealEdit } from "@/lib/deadletters/diff";
import type { DeadLetterQueue } from "@/lib/deadletters/discover";
import type { Prediction } from "@/lib/deadletters/dry-run";
import type { DeadLetterActionInput } from "@/lib/deadletters/operate";
import type { BrowseResult } from "@/lib/deadletters/workbench";
import { PredictionLine } from "./dead-letters/prediction";

const time = new Intl.DateTimeFormat("en-GB", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const at = (ms: number | null) => (ms === null ? "—" : time.format(ms));

const button =
  "rounded-lg border px-3 py-1.5 text-sm font-medium shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-50";
const neutral = `${button} border-slate-300 bg-white hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800`;
const primary = `${button} border-emerald-700 bg-emerald-600 text-white hover:bg-emerald-700`;
const danger = `${button} border-red-700 bg-red-600 text-white hover:bg-red-700`;

type Pending =
  | { kind: "discard"; label: string; count: number; input: DeadLetterActionInput }
  | { kind: "edit"; message: DeadLetter };

/** One empty list for every render without messages: a fresh `[]` would re-run the effects keyed on it, forever. */
const NO_MESSAGES: DeadLetter[] = [];

export interface WorkbenchProps {
  queues: DeadLetterQueue[];
  management: boolean;
  queue: string | null;
  browse: BrowseResult | null;
  problem: string | null;
  access: { canAct: boolean; reason: string | null };
  audit: AuditEntry[];
  listLimit: number;
}

export function DeadLetterWorkbench({
  queues,
  management,
  queue,
  browse,
  problem,
  access,
  audit,
  listLimit,
}: WorkbenchProps) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [status, setStatus] = useState<DeadLetterActionState | null>(null);
  const [predictions, setPredictions] = useState<Map<string, Prediction>>(new Map());
  const [isPending, startTransition] = useTransition();
  const messages = browse?.messages ?? NO_MESSAGES;
  const groups = useMemo(() => {
    const map = new Map<string, DeadLetter[]>();
    for (const m of messages) map.set(m.group, [...(map.get(m.group) ?? []), m]);
    return [...map.entries()].sort((a, b) => b[1].length - a[1].length);
  }, [messages]);
  const disabled = !access.canAct || isPending || !queue;
  const live = useLiveDepth(queues.find((q) => q.name === queue)?.own ? queue : null);
  // Only samples taken after this list was read (and handed back) say anything about it.
  const arrived = browse && live && live.at > browse.readAt && !isPending ? live.ready - browse.depth : 0;

  // Drop selections of messages that are gone after a refresh.
  useEffect(() => {
    const ids = new Set(messages.map((m) => m.id));
    setSelected((current) => new Set([...current].filter((id) => ids.has(id))));
  }, [messages]);

  function run(input: DeadLetterActionInput) {
    setPending(null);
    startTransition(async () => {
      const result = await deadLetterAction(input);
      setStatus(result);
      if (result.result) {
        setSelected(new Set());
        setPredictions(new Map());
        router.refresh();
      }
    });
  }

  function dryRunSelected(ids: string[]) {
    if (!queue) return;
    startTransition(async () => {
      const answer = await dryRunAction({ queue, selection: { ids } });
      const { result: _predicted, ...message } = answer;
      setStatus(message);
      if (answer.result) setPredictions(new Map(answer.result.predictions.map((p) => [p.id, p.prediction])));
    });
  }

  function redrive(selection: DeadLetterActionInput["selection"]) {
    if (queue) run({ queue, action: "redrive", selection });
  }

  function askDiscard(selection: DeadLetterActionInput["selection"], label: string, count: number) {
    if (queue)
      setPending({ kind: "discard", label, count, input: { queue, action: "discard", selection, confirmed: true } });
  }

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const selectedIds = [...selected];

  return (
    <div className="flex flex-col gap-4">
      <section className="flex flex-wrap items-end justify-between gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <form method="get" className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="dlq-picker" className="block text-xs text-slate-500 dark:text-slate-400">
              Dead-letter queue
            </label>
            <select
              id="dlq-picker"
              name="queue"
              defaultValue={queue ?? undefined}
              className="mt-1 rounded-lg border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"
            >
              {queues.map((q) => (
                <option key={q.name} value={q.name}>
                  {q.name} ← {q.sources.join(", ")}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className={neutral}>
            Open
          </button>
        </form>
        <div className="text-sm text-slate-600 dark:text-slate-300">
          {browse ? (
            <span>
              <span data-testid="dlq-depth" className="font-semibold tabular">
                {browse.depth}
              </span>{" "}
              ready in <span className="font-mono">{browse.queue}</span>
              {browse.more ? ` (showing the first ${listLimit})` : ""}
            </span>
          ) : null}
          <button type="button" className={`${neutral} ml-3`} onClick={() => router.refresh()} disabled={isPending}>
            Refresh
          </button>
        </div>
        {!management ? (
          <p className="w-full text-xs text-slate-500 dark:text-slate-400">
            Limited mode: the management API is not reachable, so only Warren&apos;s own DLQ is listed. Enable
            rabbitmq_management to find every queue with a dead-letter target.
          </p>
        ) : null}
        <p className="w-full text-xs text-slate-500 dark:text-slate-400">
          Reading is non-destructive: Warren takes each message with basic.get and hands it straight back (requeue),
          which sets the broker&apos;s redelivered flag on it.
        </p>
      </section>

      {!access.canAct ? (
        <p
          data-testid="access-notice"
          className="rounded-lg border border-slate-300 bg-slate-100 px-4 py-3 text-sm dark:border-slate-700 dark:bg-slate-800"
        >
          {access.reason} Viewing stays available.
        </p>
      ) : null}
      {problem ? (
        <p
          role="alert"
          className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {problem}
        </p>
      ) : null}

      {arrived > 0 ? (
        <p
          data-testid="new-dead-letters"
          className="flex flex-wrap items-center gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200"
        >
          {arrived} new dead letter{arrived === 1 ? "" : "s"} since this list was read.
          <button type="button" className={neutral} onClick={() => router.refresh()}>
            Show them
          </button>
        </p>
      ) : null}
      <div role="status" aria-live="polite" data-testid="action-status" className="min-h-[1.25rem] text-sm">
        {isPending ? "Working… (publishing with confirms, then removing the DLQ copies)" : status?.message}
      </div>

      {pending?.kind === "discard" ? (
        <ConfirmDiscard
          pending={pending}
          onConfirm={() => run(pending.input)}
          onCancel={() => setPending(null)}
          queue={queue ?? ""}
        />
      ) : null}
      {pending?.kind === "edit" ? (
        <EditPanel
          message={pending.message}
          disabled={disabled}
          onCancel={() => setPending(null)}
          onRedrive={(body) =>
            queue &&
            run({
              queue,
              action: "redrive",
              selection: { ids: [pending.message.id] },
              ...(body === null ? {} : { edit: { id: pending.message.id, body } }),
            })
          }
        />
      ) : null}

      {browse && messages.length === 0 ? (
        <p
          data-testid="dlq-empty"
          className="rounded-xl border border-slate-200 bg-white px-4 py-10 text-center text-sm text-slate-500 shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400"
        >
          No dead letters in {browse.queue}. Messages the payment service cannot process land here with their reason.
        </p>
      ) : null}

      {messages.length > 0 ? (
        <div role="toolbar" className="flex flex-wrap items-center gap-2" aria-label="Bulk actions">
          <label className="mr-2 flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={selected.size === messages.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(messages.map((m) => m.id)) : new Set())}
            />
            Select all shown
          </label>
          <button
            type="button"
            className={primary}
            disabled={disabled || selected.size === 0}
            onClick={() => redrive({ ids: selectedIds })}
          >
            Redrive selected ({selected.size})
          </button>
          <button
            type="button"
            className={neutral}
            disabled={disabled || selected.size === 0}
            onClick={() => dryRunSelected(selectedIds)}
          >
            Dry-run selected ({selected.size})
          </button>
          <button
            type="button"
            className={danger}
            disabled={disabled || selected.size === 0}
            onClick={() => askDiscard({ ids: selectedIds }, `${selected.size} selected`, selected.size)}
          >
            Discard selected ({selected.size})
          </button>
          <span className="mx-1 text-slate-300 dark:text-slate-600">|</span>
          <button type="button" className={neutral} disabled={disabled} onClick={() => redrive({ all: true })}>
            Redrive all ({browse?.depth})
          </button>
          <button
            type="button"
            className={neutral}
            disabled={disabled}
            onClick={() => askDiscard({ all: true }, "all", browse?.depth ?? 0)}
          >
            Discard all ({browse?.depth})
          </button>
        </div>
      ) : null}

      {groups.map(([group, list]) => (
        <section
          key={group}
          data-testid="reason-group"
          aria-label={`Reason: ${group}`}
          className="rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
            <h2 className="font-semibold">
              <span className="font-mono text-sm">{group}</span>{" "}
              <span className="text-sm font-normal text-slate-500 dark:text-slate-400" data-testid="group-count">
                {list.length} message{list.length === 1 ? "" : "s"}
              </span>
            </h2>
            <div className="flex gap-2">
              <button
                type="button"
                className={neutral}
                disabled={disabled}
                onClick={() => redrive({ all: true, group })}
              >
                Redrive group
              </button>
              <button
                type="button"
                className={neutral}
                disabled={disabled}
                onClick={() => askDiscard({ all: true, group }, `every message in group “${group}”`, list.length)}
              >
                Discard group
              </button>
            </div>
          </div>
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {list.map((m) => (
              <DeadLetterRow
                key={m.id}
                message={m}
                selected={selected.has(m.id)}
                prediction={predictions.get(m.id)}
                onToggle={() => toggle(m.id)}
                disabled={disabled}
                onRedrive={() => redrive({ ids: [m.id] })}
                onEdit={() => setPending({ kind: "edit", message: m })}
                onDiscard={() => askDiscard({ ids: [m.id] }, `message ${m.messageId ?? m.id}`, 1)}
              />
            ))}
          </ul>
        </section>
      ))}

      <AuditList rows={audit} />
    </div>
  );
}

/**
 * The DLQ's live depth from the dashboard's event stream (Warren samples its own queues once a
 * second for every viewer together), so the page can say when new dead letters arrive without
 * re-reading the queue: a read takes and hands back every message, which is not free.
 */
function useLiveDepth(queue: string | null): { ready: number; at: number } | null {
  const [depth, setDepth] = useState<{ ready: number; at: number } | null>(null);
  useEffect(() => {
    setDepth(null);
    if (!queue) return;
    const source = new EventSource("/api/events");
    source.addEventListener("queues", (event) => {
      const sample = JSON.parse((event as MessageEvent<string>).data) as {
        at: number;
        queues: Array<{ name: string; ready: number | null }>;
      };
      const ready = sample.queues.find((q) => q.name === queue)?.ready;
      if (typeof ready === "number") setDepth({ ready, at: sample.at });
    });
    return () => source.close();
  }, [queue]);
  return depth;
}

function DeadLetterRow({
  message: m,
  selected,
  onToggle,
  disabled,
  onRedrive,
  onEdit,
  onDiscard,
  prediction,
}: {
  message: DeadLetter;
  selected: boolean;
  /** The dry run's outcome for this message, when one was asked for. */
  prediction?: Prediction;
  onToggle: () => void;
  disabled: boolean;
  onRedrive: () => void;
  onEdit: () => void;
  onDiscard: () => void;
}) {
  const label = m.messageId ?? `(no message id) ${m.id.slice(0, 8)}`;
  return (
    <li data-testid="dead-letter" data-message-id={m.messageId ?? ""} data-id={m.id} className="px-4 py-3">
      <div className="flex flex-wrap items-start gap-3">
        <input type="checkbox" className="mt-1" checked={selected} onChange={onToggle} aria-label={`Select ${label}`} />
        <div className="min-w-0 flex-1">
          <p className="break-all font-mono text-sm font-medium">{label}</p>
          <p className="mt-0.5 text-sm text-red-700 dark:text-red-300" data-testid="reason">
            {m.reason}
          </p>
          {prediction ? <PredictionLine prediction={prediction} /> : null}
          <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-500 dark:text-slate-400">
            <div>
              <dt className="inline">from </dt>
              <dd className="inline font-mono">{m.originalQueue ?? "unknown"}</dd>
            </div>
            <div>
              <dt className="inline">dead-lettered </dt>
              <dd className="inline">{at(m.deadLetteredAt)}</dd>
            </div>
            {m.orderId ? (
              <div>
                <dt className="inline">order </dt>
                <dd className="inline font-mono">
                  <a className="underline" href={`/trace?order=${encodeURIComponent(m.orderId)}`}>
                    {m.orderId}
                  </a>
                </dd>
              </div>
            ) : null}
            <div>
              <dt className="inline">redriven </dt>
              <dd className="inline" data-testid="redrive-count">
                {m.redriveCount}×
              </dd>
            </div>
            {m.deaths.length > 0 ? (
              <div>
                <dt className="inline">x-death </dt>
                <dd className="inline">
                  {m.deaths
                    .map((d) => `${d.reason} ×${d.count} in ${d.queue ?? "?"}${d.time ? ` at ${at(d.time)}` : ""}`)
                    .join("; ")}
                </dd>
              </div>
            ) : null}
            {m.editedFrom ? (
              <div>
                <dt className="inline">edited from </dt>
                <dd className="inline font-mono">{m.editedFrom}</dd>
              </div>
            ) : null}
          </dl>
          <pre
            className="mt-2 max-h-28 overflow-auto rounded bg-slate-100 px-2 py-1 text-xs dark:bg-slate-800"
            data-testid="body"
          >
            {m.bodyEncoding === "base64" ? `(binary, base64) ${m.body}` : m.body}
            {m.bodyTruncated ? ` … (${m.bodyBytes} bytes)` : ""}
          </pre>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <button
            type="button"
            className={primary}
            disabled={disabled}
            onClick={onRedrive}
            aria-label={`Redrive ${label}`}
          >
            Redrive
          </button>
          <button
            type="button"
            className={neutral}
            disabled={disabled || m.bodyEncoding !== "utf8" || m.bodyTruncated}
            onClick={onEdit}
            aria-label={`Edit and redrive ${label}`}
          >
            Edit &amp; redrive
          </button>
          <button
            type="button"
            className={neutral}
            disabled={disabled}
            onClick={onDiscard}
            aria-label={`Discard ${label}`}
          >
            Discard
          </button>
        </div>
      </div>
    </li>
  );
}

function ConfirmDiscard({
  pending,
  queue,
  onConfirm,
  onCancel,
}: {
  pending: { label: string; count: number };
  queue: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <section
      role="alertdialog"
      aria-labelledby="discard-title"
      aria-describedby="discard-body"
      data-testid="confirm-discard"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      className="rounded-xl border border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
    >
      <h2 id="discard-title" className="font-semibold text-red-900 dark:text-red-100">
        Discard {pending.label}?
      </h2>
      <p id="discard-body" className="mt-1 text-sm text-red-900 dark:text-red-200">
        {pending.count === 1 ? "This message is" : `Up to ${pending.count} messages are`} deleted from{" "}
        <span className="font-mono">{queue}</span> for good. It is recorded in the audit log.
      </p>
      <div className="mt-3 flex gap-2">
        <button ref={confirmRef} type="button" className={danger} onClick={onConfirm}>
          Confirm discard
        </button>
        <button type="button" className={neutral} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function EditPanel({
  message,
  disabled,
  onRedrive,
  onCancel,
}: {
  message: DeadLetter;
  disabled: boolean;
  onRedrive: (body: string | null) => void;
  onCancel: () => void;
}) {
  const original = useMemo(() => editableText(message.body), [message.body]);
  const [text, setText] = useState(original);
  const changed = isRealEdit(message.body, text);
  let jsonProblem: string | null = null;
  try {
    JSON.parse(text);
  } catch (error) {
    jsonProblem = (error as Error).message;
  }
  const diff = useMemo(() => diffLines(original, text), [original, text]);
  const areaRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => areaRef.current?.focus(), []);
  return (
    <section
      aria-labelledby="edit-title"
      data-testid="edit-panel"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      className="rounded-xl border border-emerald-300 bg-white p-4 shadow-sm dark:border-emerald-800 dark:bg-slate-900"
    >
      <h2 id="edit-title" className="font-semibold">
        Edit and redrive <span className="font-mono text-sm">{message.messageId ?? message.id}</span>
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Failed because: <span className="text-red-700 dark:text-red-300">{message.reason}</span>. An edited message is a
        new message: it goes out under a new message id ({message.messageId ?? "message"}~edit-…), and the ledger still
        decides by order id and content — same order and same content as a paid one is a duplicate, other content a
        conflict.
      </p>
      <div className="mt-3 grid gap-4 lg:grid-cols-2">
        <div>
          <label htmlFor="edit-body" className="text-sm font-medium">
            Message body
          </label>
          <textarea
            id="edit-body"
            ref={areaRef}
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={10}
            spellCheck={false}
            aria-describedby="edit-json-status"
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
          />
          <p
            id="edit-json-status"
            className={`mt-1 text-xs ${jsonProblem ? "text-amber-700 dark:text-amber-300" : "text-emerald-700 dark:text-emerald-300"}`}
          >
            {jsonProblem ? `Not valid JSON (${jsonProblem}); it will likely be dead-lettered again.` : "Valid JSON."}
          </p>
        </div>
        <div>
          <p className="text-sm font-medium">Diff</p>
          <pre
            data-testid="edit-diff"
            className="mt-1 max-h-64 overflow-auto rounded-lg bg-slate-100 p-2 text-xs dark:bg-slate-800"
          >
            {diff.map((line, index) => (
              <span
                // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                key={index}
                data-kind={line.kind}
                className={`block ${
                  line.kind === "added"
                    ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
                    : line.kind === "removed"
                      ? "bg-red-100 text-red-900 line-through dark:bg-red-950 dark:text-red-200"
                      : ""
                }`}
              >
                {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
                {line.text}
              </span>
            ))}
          </pre>
        </div>
      </div>
      <div className="mt-3 flex gap-2">
        <button type="button" className={primary} disabled={disabled} onClick={() => onRedrive(changed ? text : null)}>
          {changed ? "Redrive edited message" : "Redrive unchanged"}
        </button>
        <button type="button" className={neutral} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function AuditList({ rows }: { rows: AuditEntry[] }) {
  return (
    <section
      aria-labelledby="audit-heading"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id="audit-heading" className="font-semibold">
        Recent dead-letter actions
      </h2>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">No redrive or discard yet.</p>
      ) : (
        <ul className="mt-2 text-sm" data-testid="audit-list">
          {rows.map((row) => (
            <li key={row.id} className="flex flex-wrap gap-x-3 py-0.5">
              <span className="tabular text-slate-500 dark:text-slate-400">{at(row.at)}</span>
              <span>{row.actor}</span>
              <span className="font-mono">{row.action}</span>
              <span className="font-mono">{row.target}</span>
              <span
                className={
                  row.result === "ok" ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"
                }
              >
                {row.result}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
