import { count } from "@/components/format";

/** How many of the latest values the text alternative reads out. */
const SPOKEN = 10;

/**
 * What the sparkline shows, in words, for a screen reader (and for anyone
 * who cannot see the line): the current value and the recent ones, with the
 * missing samples named as such.
 */
export function describeSeries(label: string, values: Array<number | null>): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return `${label}: no samples yet`;
  const latest = values.at(-1);
  const now = latest === null || latest === undefined ? "no sample now (broker unreachable)" : `now ${count(latest)}`;
  const recent = values
    .slice(-SPOKEN)
    .map((v) => (v === null ? "no sample" : count(v)))
    .join(", ");
  return `${label}: ${now}; peak ${count(Math.max(...known))}; last ${Math.min(SPOKEN, values.length)} samples, oldest first: ${recent}`;
}

/**
 * A tiny inline SVG sparkline: no chart library for one line. A missing
 * sample (null: the broker could not be asked) breaks the line: a gap, never a zero.
 */
export function Sparkline({ values, label }: { values: Array<number | null>; label: string }) {
  const width = 160;
  const height = 36;
  const description = describeSeries(label, values);
  // Kept in the DOM for tests and tools: the same numbers the line is drawn from, "" for a gap.
  const data = values.map((v) => (v === null ? "" : String(v))).join(",");
  if (values.length < 2) {
    return <svg width={width} height={height} role="img" aria-label={description} data-values={data} />;
  }
  const max = Math.max(1, ...values.filter((v): v is number => v !== null));
  const step = width / (values.length - 1);
  const segments: string[][] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push(`${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current);
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={description}
      data-values={data}
      className="max-w-full shrink overflow-visible text-emerald-700 dark:text-emerald-400"
    >
      {segments.map((points) =>
        points.length === 1 ? (
          <circle
            key={points[0]}
            cx={points[0]?.split(",")[0]}
            cy={points[0]?.split(",")[1]}
            r="1.5"
            fill="currentColor"
          />
        ) : (
          <polyline
            key={points[0]}
            points={points.join(" ")}
            fill="none"
            stroke="currentColor"
            strokeWidth="1.75"
            strokeLinejoin="round"
          />
        ),
      )}
    </svg>
  );
}
