"use client";

import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "react";
import type uPlot from "uplot";
import { cardClass } from "@/components/ui/card";

export interface HistoryLine {
  label: string;
  color: string;
  values: Array<number | null>;
}

const time = (at: number, stepMs: number) =>
  new Date(at).toLocaleString("en-GB", {
    month: stepMs >= 60_000 ? "short" : undefined,
    day: stepMs >= 60_000 ? "numeric" : undefined,
    hour: "2-digit",
    minute: "2-digit",
    second: stepMs < 60_000 ? "2-digit" : undefined,
  });

/**
 * A time-series chart drawn by uPlot (loaded only here, on first use: ~50 kB that the home page
 * never pays). Hover shows the values under the cursor; the chart also takes focus, and the arrow
 * keys (Home/End) move the same cursor: it is a slider over time whose value text is the readout.
 */
export function HistoryChart({
  title,
  at,
  stepMs,
  lines,
  format,
  testId,
  note,
}: {
  title: string;
  at: number[];
  stepMs: number;
  lines: HistoryLine[];
  format: (value: number | null) => string;
  testId: string;
  note?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [index, setIndex] = useState<number | null>(null);
  const key = `${lines.map((l) => l.label).join(",")}|${stepMs}`;

  // Build once per set of lines; new data goes through setData.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the lines change, data flows in below
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void import("uplot").then(({ default: UPlot }) => {
      const el = box.current;
      if (cancelled || !el) return;
      const ink = getComputedStyle(el).color;
      const axis = {
        stroke: ink,
        grid: { stroke: "rgba(128,128,128,0.2)" },
        ticks: { stroke: "rgba(128,128,128,0.3)" },
      };
      plot.current = new UPlot(
        {
          width: Math.max(200, el.clientWidth),
          height: 180,
          ms: 1,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((v) => time(v, stepMs)) },
            { ...axis, size: 48 },
          ],
          series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, points: { show: false } }))],
          hooks: { setCursor: [(u) => setIndex(u.cursor.idx ?? null)] },
        },
        [at, ...lines.map((l) => l.values)] as uPlot.AlignedData,
        el,
      );
      observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: 180 }));
      observer.observe(el);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);

  useEffect(() => {
    plot.current?.setData([at, ...lines.map((l) => l.values)] as uPlot.AlignedData);
  }, [at, lines]);

  const move = (event: React.KeyboardEvent) => {
    const u = plot.current;
    if (!u || at.length === 0) return;
    const last = at.length - 1;
    const current = index ?? last;
    const next =
      event.key === "ArrowLeft"
        ? Math.max(0, current - 1)
        : event.key === "ArrowRight"
          ? Math.min(last, current + 1)
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    const x = at[next] ?? 0;
    u.setCursor({ left: u.valToPos(x, "x"), top: 10 });
    setIndex(next);
  };

  const shown = index ?? null;
  const readout =
    shown === null || at[shown] === undefined
      ? "Hover or use the arrow keys to read values."
      : `${time(at[shown] ?? 0, stepMs)}: ${lines.map((l) => `${l.label} ${format(l.values[shown] ?? null)}`).join(", ")}`;

  return (
    <figure
      data-testid={testId}
      data-points={at.filter((_, i) => lines.some((l) => l.values[i] !== null && l.values[i] !== undefined)).length}
      data-slots={at.length}
      className={`${cardClass} min-w-0 p-3`}
    >
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold">{title}</span>
        <span className="flex flex-wrap gap-3 text-xs">
          {lines.map((l) => (
            <span key={l.label}>
              <span aria-hidden="true" style={{ color: l.color }}>
                ●
              </span>{" "}
              {l.label}
            </span>
          ))}
        </span>
      </figcaption>
      {note ? <p className="text-xs text-slate-600 dark:text-slate-400">{note}</p> : null}
      <div
        ref={box}
        tabIndex={0}
        role="slider"
        aria-label={`${title} over time: arrow keys move through the samples, Home and End jump to the ends`}
        aria-valuemin={0}
        aria-valuemax={Math.max(0, at.length - 1)}
        aria-valuenow={shown ?? Math.max(0, at.length - 1)}
        aria-valuetext={readout}
        onKeyDown={move}
        className="mt-2 min-h-[180px] w-full rounded text-slate-600 outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-slate-400"
      />
      <p
        className="mt-1 min-h-[1.25rem] text-xs tabular text-slate-700 dark:text-slate-300"
        data-testid={`${testId}-readout`}
      >
        {readout}
      </p>
    </figure>
  );
}
