"use client";

import { useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmPanel } from "@/components/ui/confirm";
import { StatusLine } from "@/components/ui/status-line";
import type { MoveEvent } from "@/lib/messages/move";
import { useSelection } from "./selection-picker";
import { streamEvents } from "./stream-events";
import type { SelectionPanelProps } from "./types";

const input =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:border-slate-700 dark:bg-slate-950";

type Progress = Extract<MoveEvent, { type: "progress" }>;

/** Move or copy to a queue or an exchange + routing key, confirmed first, with progress and cancel. */
export function MovePanel({ ctx, ...source }: SelectionPanelProps) {
  const id = useId();
  const [mode, setMode] = useState<"move" | "copy">("move");
  const [kind, setKind] = useState<"queue" | "exchange">("queue");
  const [targetQueue, setTargetQueue] = useState("");
  const [exchange, setExchange] = useState("");
  const [routingKey, setRoutingKey] = useState("");
  const selection = useSelection(`${id}-which`, source);
  const { choice, group } = selection;
  const { selected, searched } = source;
  const [limit, setLimit] = useState(10_000);
  const [rate, setRate] = useState(500);
  const [asking, setAsking] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [status, setStatus] = useState<{ text: string; error: boolean }>({ text: "", error: false });
  const abortRef = useRef<AbortController | null>(null);

  const target = kind === "queue" ? { queue: targetQueue.trim() } : { exchange, routingKey };
  const targetText =
    kind === "queue" ? `queue ${targetQueue.trim()}` : `exchange ${exchange || "(default)"} / key “${routingKey}”`;
  const what =
    choice === "selected"
      ? `the ${selected.size} selected message${selected.size === 1 ? "" : "s"}`
      : choice === "search"
        ? `every match of “${searched}” (up to ${limit} read)`
        : choice === "group"
          ? `every message of group “${group}” (up to ${limit} read)`
          : `all messages (up to ${limit})`;
  const ready = kind === "queue" ? targetQueue.trim() !== "" : exchange !== "" || routingKey !== "";

  async function run() {
    setAsking(false);
    const abort = new AbortController();
    abortRef.current = abort;
    setProgress({ type: "progress", read: 0, selected: 0, done: 0, failed: 0, limit });
    setStatus({ text: `${mode === "move" ? "Moving" : "Copying"}…`, error: false });
    let last: MoveEvent | null = null;
    const outcome = await streamEvents<MoveEvent>(
      ctx.api("move"),
      {
        mode,
        target,
        selection: selection.body,
        limit,
        rate,
        confirmed: true,
        confirmConsumers: ctx.confirmConsumers || undefined,
      },
      (event) => {
        last = event;
        if (event.type === "progress") setProgress(event);
      },
      abort.signal,
    );
    abortRef.current = null;
    setProgress(null);
    const final = last as MoveEvent | null;
    const verb = mode === "move" ? "Moved" : "Copied";
    if (final?.type === "done") {
      setStatus({
        text: `${verb} ${final.done} of ${final.selected} to ${targetText} in ${(final.ms / 1000).toFixed(1)} s${
          final.failed ? `; ${final.failed} failed and stayed in ${ctx.queue} (${final.errors[0] ?? ""})` : ""
        }.`,
        error: final.failed > 0,
      });
    } else if (!outcome.ok) {
      const p = final?.type === "progress" ? final : null;
      setStatus({
        text: outcome.cancelled
          ? `Cancelled: ${p?.done ?? 0} ${mode === "move" ? "moved" : "copied"} before it stopped; publishes in flight finish, everything else stays in ${ctx.queue}. The audit log has the final count.`
          : outcome.message,
        error: !outcome.cancelled,
      });
    }
  }

  return (
    <section aria-labelledby={`${id}-h`} className="flex flex-col gap-3">
      <h3 id={`${id}-h`} className="text-sm font-semibold">
        Move or copy messages
      </h3>
      <form
        className="grid gap-3 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !progress) setAsking(true);
        }}
      >
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="font-medium">Action</legend>
          {(["move", "copy"] as const).map((m) => (
            <label key={m} className="flex items-center gap-2">
              <input type="radio" name={`${id}-mode`} checked={mode === m} onChange={() => setMode(m)} />
              {m === "move" ? "Move (remove from this queue)" : "Copy (keep here)"}
            </label>
          ))}
        </fieldset>
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="font-medium">To</legend>
          {(["queue", "exchange"] as const).map((k) => (
            <label key={k} className="flex items-center gap-2">
              <input type="radio" name={`${id}-kind`} checked={kind === k} onChange={() => setKind(k)} />
              {k === "queue" ? "A queue" : "An exchange + routing key"}
            </label>
          ))}
        </fieldset>
        {kind === "queue" ? (
          <div className="sm:col-span-2">
            <label htmlFor={`${id}-queue`} className="text-sm font-medium">
              Target queue
            </label>
            <input
              id={`${id}-queue`}
              data-testid="move-target"
              value={targetQueue}
              onChange={(e) => setTargetQueue(e.target.value)}
              className={`${input} font-mono`}
            />
          </div>
        ) : (
          <>
            <div>
              <label htmlFor={`${id}-exchange`} className="text-sm font-medium">
                Exchange
              </label>
              <input
                id={`${id}-exchange`}
                value={exchange}
                onChange={(e) => setExchange(e.target.value)}
                className={`${input} font-mono`}
              />
            </div>
            <div>
              <label htmlFor={`${id}-key`} className="text-sm font-medium">
                Routing key
              </label>
              <input
                id={`${id}-key`}
                value={routingKey}
                onChange={(e) => setRoutingKey(e.target.value)}
                className={`${input} font-mono`}
              />
            </div>
          </>
        )}
        {selection.picker}
        <div className="grid grid-cols-2 gap-3">
          <div>
            <label htmlFor={`${id}-limit`} className="text-sm font-medium">
              Read at most
            </label>
            <input
              id={`${id}-limit`}
              type="number"
              min={1}
              max={100_000}
              value={limit}
              onChange={(e) => setLimit(Math.max(1, Math.min(100_000, Number(e.target.value) || 1)))}
              className={input}
            />
          </div>
          <div>
            <label htmlFor={`${id}-rate`} className="text-sm font-medium">
              Messages / second
            </label>
            <input
              id={`${id}-rate`}
              type="number"
              min={1}
              max={10_000}
              value={rate}
              onChange={(e) => setRate(Math.max(1, Math.min(10_000, Number(e.target.value) || 1)))}
              className={input}
            />
          </div>
        </div>
        <div className="sm:col-span-2">
          <Button
            type="submit"
            variant="strong"
            disabled={!ctx.canAct || !ready || progress !== null}
            data-testid="move-run"
          >
            {mode === "move" ? "Move…" : "Copy…"}
          </Button>
        </div>
      </form>
      {asking ? (
        <ConfirmPanel
          title={`${mode === "move" ? "Move" : "Copy"} ${what} to ${targetText}?`}
          confirmLabel={mode === "move" ? "Move them" : "Copy them"}
          onConfirm={() => void run()}
          onCancel={() => setAsking(false)}
          testId="move-confirm"
        >
          Each message is published with a publisher confirm;{" "}
          {mode === "move"
            ? `only once the broker confirmed the new copy is it removed from ${ctx.queue}.`
            : `${ctx.queue} keeps every message (requeued, marked redelivered).`}{" "}
          At most {rate} a second. The action is recorded in the audit log.
        </ConfirmPanel>
      ) : null}
      {progress ? (
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={`${id}-progress`} className="text-sm">
            Read {progress.read} · {mode === "move" ? "moved" : "copied"} {progress.done} of {progress.selected}
            {progress.failed ? ` · ${progress.failed} failed` : ""}
          </label>
          <progress
            id={`${id}-progress`}
            data-testid="move-progress"
            max={progress.limit}
            value={progress.read}
            className="h-2 min-w-40 flex-1 accent-emerald-700"
          />
          <Button variant="warning" onClick={() => abortRef.current?.abort()} data-testid="move-cancel">
            Cancel
          </Button>
        </div>
      ) : null}
      <StatusLine error={status.error} testId="move-status">
        {status.text}
      </StatusLine>
    </section>
  );
}
