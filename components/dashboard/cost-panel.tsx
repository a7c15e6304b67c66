"use client";

import { useId } from "react";
import useSWR from "swr";
import { count } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { fetchJson } from "@/hooks/fetch-json";
import { CAUSE_LABELS, CAUSES, type CostSeries } from "@/lib/books/cost";
import type { AbsorbedCause } from "@/lib/store/store";

const muted = "text-slate-600 dark:text-slate-400";
const fill: Record<AbsorbedCause, string> = {
  broker_redelivery: "fill-amber-500",
  outbox_republish: "fill-sky-500",
  client_retry: "fill-violet-500",
  producer_resend: "fill-rose-500",
};
const swatch: Record<AbsorbedCause, string> = {
  broker_redelivery: "bg-amber-500",
  outbox_republish: "bg-sky-500",
  client_retry: "bg-violet-500",
  producer_resend: "bg-rose-500",
};

/** The chart in words: what was absorbed in the hour, by cause, and the busiest minute. */
export function describeCost(series: CostSeries): string {
  const totals = CAUSES.map((c) => series.total[c].duplicate + series.total[c].conflict);
  const all = totals.reduce((a, b) => a + b, 0);
  if (all === 0) return "Nothing absorbed in the last hour.";
  const perMinute = Array.from({ length: series.minutes }, (_, i) =>
    CAUSES.reduce((sum, c) => sum + (series.perMinute[c][i] ?? 0), 0),
  );
  const peak = Math.max(...perMinute);
  const parts = CAUSES.flatMap((c, i) => ((totals[i] ?? 0) > 0 ? [`${count(totals[i])} ${CAUSE_LABELS[c]}`] : []));
  return `Absorbed per minute over the last hour: ${count(all)} in all (${parts.join(", ")}); busiest minute ${count(peak)}.`;
}

/** Stacked bars, one per minute, one colour per cause. */
function CostChart({ series }: { series: CostSeries }) {
  const width = 300;
  const height = 56;
  const stacks = Array.from({ length: series.minutes }, (_, i) => ({
    minute: series.from + i * 60_000,
    parts: CAUSES.map((c) => ({ cause: c, n: series.perMinute[c][i] ?? 0 })),
  }));
  const max = Math.max(1, ...stacks.map((s) => s.parts.reduce((sum, part) => sum + part.n, 0)));
  const step = width / series.minutes;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="h-14 w-full text-slate-400"
      role="img"
      aria-label={describeCost(series)}
      preserveAspectRatio="none"
    >
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} stroke="currentColor" strokeOpacity="0.5" />
      {stacks.flatMap(({ minute, parts }, i) => {
        let y = height - 1;
        return parts.flatMap(({ cause, n }) => {
          if (n === 0) return [];
          const h = (n / max) * (height - 2);
          y -= h;
          return (
            <rect
              key={`${cause}-${minute}`}
              x={i * step + 0.5}
              y={y}
              width={Math.max(1, step - 1)}
              height={h}
              className={fill[cause]}
            />
          );
        });
      })}
    </svg>
  );
}

/**
 * The cost of exactly-once: duplicates and conflicts absorbed per minute over the last hour,
 * by cause (GET /api/books/cost, from the database rows every process writes).
 */
export function CostPanel() {
  const { data, error } = useSWR<CostSeries>("/api/books/cost", fetchJson, {
    refreshInterval: 5000,
    revalidateOnFocus: false,
  });
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} data-testid="cost" className={`${cardClass} p-4`}>
      <h2 id={headingId} className="font-semibold">
        The cost of exactly-once
      </h2>
      <p className={`mt-1 text-xs ${muted}`}>
        Duplicates and conflicts absorbed per minute (last hour), by why they came.
      </p>
      {error && !data ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          Could not read what was absorbed ({error.message}).
        </p>
      ) : !data ? (
        <p className={`mt-2 text-sm ${muted}`}>Reading…</p>
      ) : (
        <>
          <div className="mt-2">
            <CostChart series={data} />
            <div className={`flex justify-between text-xs ${muted}`} aria-hidden="true">
              <span>60 min ago</span>
              <span>now</span>
            </div>
          </div>
          <table className="mt-2 w-full text-sm">
            <caption className="sr-only">Absorbed by cause</caption>
            <thead>
              <tr className={`text-left text-xs ${muted}`}>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Cause
                </th>
                <th scope="col" className="px-2 py-1 text-right font-medium">
                  last min
                </th>
                <th scope="col" className="px-2 py-1 text-right font-medium">
                  last hour
                </th>
                <th scope="col" className="py-1 pl-2 text-right font-medium">
                  conflicts
                </th>
              </tr>
            </thead>
            <tbody>
              {CAUSES.map((cause) => {
                const total = data.total[cause];
                return (
                  <tr
                    key={cause}
                    data-testid={`cost-${cause}`}
                    data-hour={total.duplicate + total.conflict}
                    className="border-t border-slate-100 dark:border-slate-800"
                  >
                    <th scope="row" className="py-1 pr-2 text-left font-normal">
                      <span
                        aria-hidden="true"
                        className={`mr-1.5 inline-block h-2.5 w-2.5 rounded-sm ${swatch[cause]}`}
                      />
                      {CAUSE_LABELS[cause]}
                    </th>
                    <td className="tabular px-2 py-1 text-right">{count(data.lastMinute[cause])}</td>
                    <td className="tabular px-2 py-1 text-right">{count(total.duplicate + total.conflict)}</td>
                    <td className="tabular py-1 pl-2 text-right">{count(total.conflict)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
