/** Every time Warren shows, formatted one way per purpose (UTC-free locale formats are per viewer). */
const dateTime = new Intl.DateTimeFormat("en-GB", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const clock = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const clockMs = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hour12: false,
});

/** "29 Nov, 17:12:54", or a dash when unknown. */
export function formatDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : dateTime.format(ms);
}

/** "17:12:54": for feeds where the day is obvious. */
export function formatClock(ms: number): string {
  return clock.format(ms);
}

/** "17:12:54.123": for a trace, where hops are milliseconds apart. */
export function formatClockMs(ms: number): string {
  return clockMs.format(ms);
}

/** "2026-11-29 17:12:54" (UTC): for logs, where rows are compared across machines. */
export function formatIso(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

/** "4 s", "3 min", "2 h": how long ago or how old. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** A machine-readable time with a human label. */
export function Time({
  at,
  format = "datetime",
  className,
}: {
  at: number | null | undefined;
  format?: "datetime" | "clock" | "iso";
  className?: string;
}) {
  if (at === null || at === undefined) return <span className={className}>—</span>;
  const label = format === "clock" ? formatClock(at) : format === "iso" ? formatIso(at) : formatDateTime(at);
  return (
    <time dateTime={new Date(at).toISOString()} className={className}>
      {label}
    </time>
  );
}
