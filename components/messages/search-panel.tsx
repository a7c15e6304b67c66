"use client";

import { useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { StatusLine } from "@/components/ui/status-line";
import type { SearchEvent } from "@/lib/messages/search";
import { useSavedFilters } from "./saved-filters";
import { streamEvents } from "./stream-events";
import type { Found, ToolsContext } from "./types";

const input =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:border-slate-700 dark:bg-slate-950";

/** Search: a filter, how many to read, streamed progress with cancel, and the matches with checkboxes. */
export function SearchPanel({
  ctx,
  matches,
  onMatches,
  selected,
  onSelect,
  onSearched,
}: {
  ctx: ToolsContext;
  matches: Found[];
  onMatches: (next: Found[]) => void;
  selected: Set<string>;
  onSelect: (next: Set<string>) => void;
  onSearched: (filter: string | null) => void;
}) {
  const id = useId();
  const [filter, setFilter] = useState("");
  const [limit, setLimit] = useState(Math.min(1000, ctx.maxRead));
  const [progress, setProgress] = useState<{ read: number; limit: number; matched: number } | null>(null);
  const [status, setStatus] = useState<{ text: string; error: boolean }>({ text: "", error: false });
  const abortRef = useRef<AbortController | null>(null);
  const running = progress !== null;
  const { saved, save, remove } = useSavedFilters(ctx.user);

  async function run() {
    const abort = new AbortController();
    abortRef.current = abort;
    const found: Found[] = [];
    onMatches([]);
    onSelect(new Set());
    onSearched(null);
    setProgress({ read: 0, limit, matched: 0 });
    setStatus({ text: "Reading…", error: false });
    let done: Extract<SearchEvent, { type: "done" }> | null = null;
    const outcome = await streamEvents<SearchEvent>(
      ctx.api("search"),
      { filter, limit, confirmConsumers: ctx.confirmConsumers || undefined },
      (event) => {
        if (event.type === "progress") setProgress({ read: event.read, limit: event.limit, matched: event.matched });
        else if (event.type === "match") {
          found.push(event.message);
          onMatches([...found]);
        } else if (event.type === "done") done = event;
      },
      abort.signal,
    );
    abortRef.current = null;
    setProgress(null);
    const final = done as Extract<SearchEvent, { type: "done" }> | null;
    if (final) {
      onSearched(filter);
      const more = final.matched > final.shown ? ` (first ${final.shown} shown)` : "";
      setStatus({
        text: `Read ${final.read} message${final.read === 1 ? "" : "s"} in ${(final.ms / 1000).toFixed(1)} s: ${final.matched} match${final.matched === 1 ? "" : "es"}${more}. Every message read was requeued.`,
        error: false,
      });
    } else if (!outcome.ok) {
      setStatus({
        text: outcome.cancelled
          ? `Cancelled after ${found.length} match${found.length === 1 ? "" : "es"}: reading stopped and every message read went back to the queue.`
          : outcome.message,
        error: !outcome.cancelled,
      });
    }
  }

  const toggle = (messageId: string) => {
    const next = new Set(selected);
    if (next.has(messageId)) next.delete(messageId);
    else next.add(messageId);
    onSelect(next);
  };

  return (
    <section aria-labelledby={`${id}-h`} className="flex flex-col gap-3">
      <h3 id={`${id}-h`} className="text-sm font-semibold">
        Search messages
      </h3>
      <form
        className="grid gap-3 sm:grid-cols-[1fr_8rem_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) void run();
        }}
      >
        <div>
          <label htmlFor={`${id}-filter`} className="text-sm font-medium">
            Filter
          </label>
          <input
            id={`${id}-filter`}
            data-testid="search-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder='item = "book" and quantity > 3'
            aria-describedby={`${id}-help`}
            maxLength={500}
            className={`${input} font-mono`}
          />
        </div>
        <div>
          <label htmlFor={`${id}-limit`} className="text-sm font-medium">
            Read up to
          </label>
          <input
            id={`${id}-limit`}
            data-testid="search-limit"
            type="number"
            min={1}
            max={ctx.maxRead}
            value={limit}
            onChange={(e) => setLimit(Math.max(1, Math.min(ctx.maxRead, Number(e.target.value) || 1)))}
            className={input}
          />
        </div>
        <Button type="submit" variant="primary" disabled={!ctx.canAct || running} data-testid="search-run">
          Search
        </Button>
      </form>
      <p id={`${id}-help`} className="text-xs text-slate-600 dark:text-slate-400">
        Plain text matches the body. Fields: <code>item = "book"</code>, <code>quantity &gt; 3</code>,{" "}
        <code>customer.city contains "Ber"</code> (=, !=, &gt;, &gt;=, &lt;, &lt;=, contains), headers{" "}
        <code>headers.x-warren-reason contains "schema"</code>, properties <code>properties.messageId = "…"</code>; join
        with <code>and</code>.
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <div className="w-full min-w-0 sm:w-auto sm:flex-1">
          <label htmlFor={`${id}-saved`} className="text-sm font-medium">
            Saved filters (this browser, {ctx.user})
          </label>
          <select
            id={`${id}-saved`}
            data-testid="saved-filters"
            className={input}
            value=""
            onChange={(e) => e.target.value && setFilter(e.target.value)}
          >
            <option value="">{saved.length ? "Choose a saved filter…" : "None saved yet"}</option>
            {saved.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <Button onClick={() => save(filter)} disabled={!filter.trim()} data-testid="save-filter">
          Save filter
        </Button>
        <Button onClick={() => remove(filter)} disabled={!saved.includes(filter.trim())}>
          Forget filter
        </Button>
      </div>
      {progress ? (
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={`${id}-progress`} className="text-sm">
            Read {progress.read} of up to {progress.limit} · {progress.matched} matched
          </label>
          <progress
            id={`${id}-progress`}
            data-testid="search-progress"
            max={progress.limit}
            value={progress.read}
            className="h-2 min-w-40 flex-1 accent-emerald-700"
          />
          <Button variant="warning" onClick={() => abortRef.current?.abort()} data-testid="search-cancel">
            Cancel
          </Button>
        </div>
      ) : null}
      <StatusLine error={status.error} testId="search-status">
        {status.text}
      </StatusLine>
      {matches.length > 0 ? (
        <div className="flex flex-col gap-2">
          <div className="flex flex-wrap gap-2 text-sm">
            <Button onClick={() => onSelect(new Set(matches.map((m) => m.id)))}>Select all shown</Button>
            <Button onClick={() => onSelect(new Set())} disabled={selected.size === 0}>
              Clear selection
            </Button>
            <span className="self-center">{selected.size} selected</span>
          </div>
          <ol className="flex max-h-96 flex-col gap-2 overflow-auto" data-testid="search-matches">
            {matches.map((m) => (
              <li
                key={`${m.id}-${m.position}`}
                data-testid="search-match"
                className="rounded-lg border border-slate-200 p-2 text-xs dark:border-slate-700"
              >
                <label className="flex items-start gap-2">
                  <input
                    type="checkbox"
                    className="mt-0.5"
                    checked={selected.has(m.id)}
                    onChange={() => toggle(m.id)}
                    aria-label={`Select message ${m.messageId ?? m.id} (position ${m.position})`}
                  />
                  <span className="min-w-0 flex-1">
                    <span className="block text-slate-600 dark:text-slate-400">
                      #{m.position} · {m.messageId ?? "(no message id)"}
                      {m.redelivered ? " · redelivered" : ""}
                      {m.bodyTruncated ? ` · first 16 KiB of ${m.bodyBytes} bytes` : ""}
                    </span>
                    <code className="block break-all whitespace-pre-wrap">
                      {m.bodyEncoding === "base64" ? `(binary, base64) ${m.body.slice(0, 400)}` : m.body.slice(0, 2000)}
                    </code>
                  </span>
                </label>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}
