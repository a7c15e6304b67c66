export type ConnectionState = "connecting" | "live" | "reconnecting" | "broker-down";

const styles: Record<ConnectionState, { label: string; dot: string; text: string }> = {
  connecting: { label: "connecting…", dot: "bg-slate-400", text: "text-slate-600 dark:text-slate-300" },
  live: { label: "live", dot: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-300" },
  reconnecting: {
    label: "reconnecting…",
    dot: "bg-amber-500 animate-pulse",
    text: "text-amber-800 dark:text-amber-300",
  },
  "broker-down": { label: "broker down", dot: "bg-red-500", text: "text-red-700 dark:text-red-300" },
};

export function ConnectionBadge({ state }: { state: ConnectionState }) {
  const style = styles[state];
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="connection-badge"
      data-state={state}
      className={`inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-sm font-medium dark:border-slate-700 dark:bg-slate-900 ${style.text}`}
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${style.dot}`} />
      {style.label}
    </span>
  );
}
