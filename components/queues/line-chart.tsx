import { cardClass } from "@/components/ui/card";

/**
 * A small SVG line chart for the queue history (up to 720 points per line):
 * no chart library, nothing to load, and it follows the page's dark mode
 * through currentColor.
 */
export interface ChartSeries {
  label: string;
  /** Tailwind text color classes; the line uses currentColor. */
  className: string;
  values: Array<number | null>;
  format: (value: number | null) => string;
}

export function LineChart({
  title,
  times,
  series,
  testId,
}: {
  title: string;
  times: number[];
  series: ChartSeries[];
  testId?: string;
}) {
  const width = 640;
  const height = 160;
  const pad = { left: 44, right: 8, top: 8, bottom: 20 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(1, ...all));
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  const span = Math.max(1, last - first);
  const x = (t: number) => pad.left + ((t - first) / span) * innerW;
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;
  const minutes = Math.round(span / 60_000);

  const paths = series.map((s) => {
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      const t = times[i];
      if (v === null || t === undefined) {
        pen = false; // a gap where the sample is missing
        return;
      }
      d += `${pen ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  });

  const latest = (s: ChartSeries) => {
    for (let i = s.values.length - 1; i >= 0; i--) {
      const v = s.values[i];
      if (v !== null && v !== undefined) return v;
    }
    return null;
  };

  return (
    <figure
      data-testid={testId}
      data-points={times.length}
      data-gaps={series[0]?.values.filter((v) => v === null).length ?? 0}
      className={`${cardClass} p-3`}
    >
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold">{title}</span>
        <span className="flex flex-wrap gap-3 text-xs tabular">
          {series.map((s) => (
            <span key={s.label} className={s.className}>
              ● <span className="text-slate-600 dark:text-slate-300">{s.label}</span>{" "}
              <span className="font-semibold text-slate-900 dark:text-slate-100">{s.format(latest(s))}</span>
            </span>
          ))}
        </span>
      </figcaption>
      {times.length < 2 ? (
        <p className="py-10 text-center text-sm text-slate-600 dark:text-slate-400">
          Collecting samples (one every 5 s)…
        </p>
      ) : (
        <svg
          viewBox={`0 0 ${width} ${height}`}
          className="mt-2 h-40 w-full"
          role="img"
          aria-label={describeChart(title, times.length, minutes, series, latest)}
          preserveAspectRatio="none"
        >
          <g className="text-slate-300 dark:text-slate-700" stroke="currentColor" strokeWidth="0.5">
            {[0, 0.5, 1].map((f) => (
              <line key={f} x1={pad.left} x2={width - pad.right} y1={y(max * f)} y2={y(max * f)} />
            ))}
          </g>
          <g className="fill-slate-600 text-[10px] dark:fill-slate-400">
            <text x={pad.left - 4} y={y(max) + 3} textAnchor="end">
              {compact(max)}
            </text>
            <text x={pad.left - 4} y={y(0) + 3} textAnchor="end">
              0
            </text>
            <text x={pad.left} y={height - 4}>
              −{minutes || "<1"} min
            </text>
            <text x={width - pad.right} y={height - 4} textAnchor="end">
              now
            </text>
          </g>
          {series.map((s, i) => (
            <path
              key={s.label}
              d={paths[i]}
              className={s.className}
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
              strokeLinejoin="round"
              vectorEffect="non-scaling-stroke"
            />
          ))}
        </svg>
      )}
    </figure>
  );
}

/** How many of the latest samples the text alternative reads out per line. */
const SPOKEN = 5;

/** The chart in words: its span, and per line the current value and the recent ones, gaps named. */
function describeChart(
  title: string,
  samples: number,
  minutes: number,
  series: ChartSeries[],
  latest: (s: ChartSeries) => number | null,
): string {
  const lines = series.map((s) => {
    const recent = s.values
      .slice(-SPOKEN)
      .map((v) => (v === null ? "no sample" : s.format(v)))
      .join(", ");
    return `${s.label} now ${s.format(latest(s))} (last ${Math.min(SPOKEN, s.values.length)}: ${recent})`;
  });
  const gaps = series[0]?.values.filter((v) => v === null).length ?? 0;
  const missing = gaps > 0 ? `; ${gaps} sample${gaps === 1 ? "" : "s"} missing (broker unreachable)` : "";
  return `${title}: ${samples} samples over ${minutes || "<1"} min${missing}; ${lines.join("; ")}`;
}

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function compact(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)}k` : String(value);
}
