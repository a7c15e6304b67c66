/** A tiny inline SVG sparkline: no chart library for one line. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const width = 160;
  const height = 36;
  if (values.length < 2) {
    return <svg width={width} height={height} role="img" aria-label={`${label}: not enough data yet`} />;
  }
  const max = Math.max(1, ...values);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label}: last ${values.length} samples, peak ${max}`}
      className="overflow-visible text-emerald-600 dark:text-emerald-400"
    >
      <polyline points={points.join(" ")} fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinejoin="round" />
    </svg>
  );
}
