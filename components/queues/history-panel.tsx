"use client";

import { useMemo, useState } from "react";
import useSWR from "swr";
import { count, rate } from "@/components/format";
import { fetchJson } from "@/hooks/fetch-json";
import type { HistoryView } from "@/lib/history/read";
import { HISTORY_RANGES, type HistoryRange, RANGE_KEYS } from "@/lib/history/tiers";
import type { RateSource } from "@/lib/store/store";
import { HistoryChart } from "./history-chart";

const REFRESH_MS: Record<HistoryRange, number> = {
  "10m": 2000,
  "1h": 10_000,
  "24h": 60_000,
  "7d": 60_000,
  "30d": 60_000,
};

export function rateSourceLabel(source: RateSource | null): string {
  if (source === "broker") return "broker";
  if (source === "derived") return "derived from Warren's samples";
  if (source === "prometheus") return "prometheus (rabbitmq_prometheus counters)";
  return "no rates recorded";
}

const stepLabel = (ms: number) =>
  ms < 60_000 ? `${ms / 1000} s` : ms < 3_600_000 ? `${ms / 60_000} min` : `${ms / 3_600_000} h`;

/** The stored history of a queue (every web process reads the same database) with a range picker. */
export function HistoryPanel({ queue }: { queue: string }) {
  const [range, setRange] = useState<HistoryRange>("10m");
  const { data, error } = useSWR<HistoryView & { tracked: boolean }>(
    `/api/broker/queues/${encodeURIComponent(queue)}/history?range=${range}`,
    fetchJson,
    { refreshInterval: REFRESH_MS[range], keepPreviousData: true },
  );
  const depth = useMemo(
    () =>
      data
        ? [
            { label: "ready", color: "#059669", values: data.ready },
            { label: "unacked", color: "#d97706", values: data.unacked },
          ]
        : [],
    [data],
  );
  const rates = useMemo(
    () =>
      data
        ? [
            { label: "publish", color: "#0284c7", values: data.publish },
            { label: "deliver", color: "#7c3aed", values: data.deliver },
            { label: "ack", color: "#db2777", values: data.ack },
          ]
        : [],
    [data],
  );
  return (
    <section aria-labelledby="history-heading" className="flex min-w-0 flex-col gap-3" data-testid="history-panel">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="history-heading" className="font-semibold">
          History{" "}
          <span className="text-xs font-normal text-slate-600 dark:text-slate-400">
            stored by Warren, kept across restarts
            {data ? ` · one point per ${stepLabel(data.stepMs)}` : ""}
          </span>
        </h2>
        <fieldset className="flex rounded-lg border border-slate-300 p-0.5 text-sm dark:border-slate-700">
          <legend className="sr-only">Time range</legend>
          {RANGE_KEYS.map((key) => (
            <label
              key={key}
              className="cursor-pointer rounded-md px-2 py-1 has-[:checked]:bg-slate-900 has-[:checked]:text-white has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-emerald-500 dark:has-[:checked]:bg-slate-100 dark:has-[:checked]:text-slate-900"
            >
              <input
                type="radio"
                name={`range-${queue}`}
                value={key}
                checked={range === key}
                onChange={() => setRange(key)}
                className="sr-only"
              />
              {HISTORY_RANGES[key].label}
            </label>
          ))}
        </fieldset>
      </div>
      {error && !data ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          The history could not be read; retrying.
        </p>
      ) : !data ? (
        <p className="py-10 text-center text-sm text-slate-600 dark:text-slate-400">Loading the history…</p>
      ) : data.filled === 0 ? (
        <p className="py-6 text-center text-sm text-slate-600 dark:text-slate-400" data-testid="history-empty">
          No samples in the last {HISTORY_RANGES[range].label} yet.{" "}
          {data.tracked
            ? "Warren samples this queue every second from now on."
            : "Warren samples a queue once its page has been opened."}
        </p>
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2" data-range={data.range} data-step={data.stepMs}>
          <HistoryChart
            title="Depth"
            testId="depth-chart"
            at={data.at}
            stepMs={data.stepMs}
            lines={depth}
            format={count}
          />
          <HistoryChart
            title="Rates (messages/s)"
            testId="rate-chart"
            at={data.at}
            stepMs={data.stepMs}
            lines={rates}
            format={rate}
            note={`Source: ${rateSourceLabel(data.rateSource)}`}
          />
        </div>
      )}
    </section>
  );
}
