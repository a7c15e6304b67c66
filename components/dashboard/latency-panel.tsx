"use client";

import { useId, useState } from "react";
import useSWR from "swr";
import { count } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { fetchJson } from "@/hooks/fetch-json";
import { HOP_BUCKETS_MS, HOP_LABELS, type HopStats, type LatencyReport } from "@/lib/books/latency";

const muted = "text-slate-600 dark:text-slate-400";
const WINDOWS = [
  { ms: 60_000, label: "last minute" },
  { ms: 3_600_000, label: "last hour" },
] as const;

/** "12 ms", "1.25 s": the unit that keeps the number short. */
export function duration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function edgeLabel(i: number): string {
  const upper = HOP_BUCKETS_MS[i];
  return upper === undefined ? `over ${duration(HOP_BUCKETS_MS.at(-1) ?? 0)}` : `up to ${duration(upper)}`;
}

/** The histogram in words, for a screen reader and for anyone who cannot see the bars. */
export function describeHistogram(stats: HopStats): string {
  if (stats.count === 0) return `${HOP_LABELS[stats.hop]}: no orders in this window`;
  const filled = stats.buckets.flatMap((n, i) => (n > 0 ? [`${count(n)} ${edgeLabel(i)}`] : []));
  return `${HOP_LABELS[stats.hop]}: ${count(stats.count)} orders; p50 ${duration(stats.p50)}, p95 ${duration(stats.p95)}, p99 ${duration(stats.p99)}; ${filled.join(", ")}`;
}

/** A small bar per bucket (log-spaced edges, so the x axis reads like a log scale). */
function Histogram({ stats }: { stats: HopStats }) {
  const width = 120;
  const height = 28;
  const max = Math.max(1, ...stats.buckets);
  const step = width / stats.buckets.length;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={describeHistogram(stats)}
      data-buckets={stats.buckets.join(",")}
      className="shrink-0 text-sky-600 dark:text-sky-400"
    >
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} stroke="currentColor" strokeOpacity="0.3" />
      {stats.buckets.map((n, i) =>
        n > 0 ? (
          <rect
            // biome-ignore lint/suspicious/noArrayIndexKey: one bar per fixed bucket edge
            key={i}
            x={i * step + 0.5}
            width={Math.max(1, step - 1)}
            y={height - 1 - Math.max(1.5, (n / max) * (height - 2))}
            height={Math.max(1.5, (n / max) * (height - 2))}
            fill="currentColor"
          />
        ) : null,
      )}
    </svg>
  );
}

/**
 * Where the time goes: per hop (place → confirmed → delivered → paid → acked, and the whole
 * order) the p50/p95/p99 of the orders paid in the last minute or hour, with a histogram.
 * Read from the database rows every process writes (GET /api/books/latency), refreshed every 5 s.
 */
export function LatencyPanel() {
  const { data, error } = useSWR<LatencyReport>("/api/books/latency", fetchJson, {
    refreshInterval: 5000,
    revalidateOnFocus: false,
  });
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[0].ms);
  const headingId = useId();
  const window = data?.windows.find((w) => w.windowMs === windowMs);
  const label = WINDOWS.find((w) => w.ms === windowMs)?.label ?? "";
  return (
    <section aria-labelledby={headingId} data-testid="latency" className={`${cardClass} p-4`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={headingId} className="font-semibold">
          Where the time goes
        </h2>
        <fieldset className="flex gap-1 text-xs">
          <legend className="sr-only">Window</legend>
          {WINDOWS.map((w) => (
            <button
              key={w.ms}
              type="button"
              aria-pressed={w.ms === windowMs}
              onClick={() => setWindowMs(w.ms)}
              className="rounded-md border border-slate-300 px-2 py-1 aria-pressed:bg-slate-900 aria-pressed:text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:aria-pressed:bg-slate-100 dark:aria-pressed:text-slate-900"
            >
              {w.label}
            </button>
          ))}
        </fieldset>
      </div>
      {error && !data ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          Could not read the latencies ({error.message}).
        </p>
      ) : !window ? (
        <p className={`mt-2 text-sm ${muted}`}>Reading…</p>
      ) : window.paid === 0 ? (
        <p className={`mt-2 text-sm ${muted}`} data-testid="latency-empty">
          No order was paid in the {label}.
        </p>
      ) : (
        <>
          <p className={`mt-1 text-xs ${muted}`} data-testid="latency-paid">
            {count(window.paid)} order{window.paid === 1 ? "" : "s"} paid in the {label}
            {window.sampled < window.paid ? ` (percentiles of an even sample of ${count(window.sampled)})` : ""}.
          </p>
          <div className="mt-2 overflow-x-auto">
            <table className="w-full text-sm">
              <caption className="sr-only">Latency per hop, {label}</caption>
              <thead>
                <tr className={`text-left text-xs ${muted}`}>
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Hop
                  </th>
                  <th scope="col" className="px-2 py-1 text-right font-medium">
                    p50
                  </th>
                  <th scope="col" className="px-2 py-1 text-right font-medium">
                    p95
                  </th>
                  <th scope="col" className="px-2 py-1 text-right font-medium">
                    p99
                  </th>
                  <th scope="col" className="hidden py-1 pl-2 font-medium sm:table-cell">
                    Histogram <span className="font-normal">(1 ms … 30 s+, log)</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {window.hops.map((stats) => (
                  <tr
                    key={stats.hop}
                    data-testid={`latency-hop-${stats.hop}`}
                    data-count={stats.count}
                    className="border-t border-slate-100 dark:border-slate-800"
                  >
                    <th scope="row" className="py-1 pr-2 text-left font-normal">
                      {HOP_LABELS[stats.hop]}
                    </th>
                    <td className="tabular px-2 py-1 text-right">{duration(stats.p50)}</td>
                    <td className="tabular px-2 py-1 text-right">{duration(stats.p95)}</td>
                    <td className="tabular px-2 py-1 text-right">{duration(stats.p99)}</td>
                    <td className="hidden py-1 pl-2 sm:table-cell">
                      <Histogram stats={stats} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className={`mt-2 text-xs ${muted}`}>
            From the database rows every process writes. confirmed → delivered is 0 ms when the broker delivered before
            the publisher had its confirm.
          </p>
        </>
      )}
    </section>
  );
}
