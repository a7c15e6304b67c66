const TONE: Record<string, string> = {
  running: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
  blocked: "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
  blocking: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  flow: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
};

/** What the states mean to someone chasing a stalled publisher. */
const MEANING: Record<string, string> = {
  blocked: "publishes are held by the broker (a memory or disk alarm)",
  blocking: "will be blocked on its next publish (an alarm is active)",
  flow: "the broker is slowing this publisher down (flow control)",
  running: "working normally",
  idle: "no traffic",
};

export function StateBadge({ state }: { state: string | null }) {
  const value = state ?? "unknown";
  return (
    <span
      data-testid="connection-state"
      data-state={value}
      title={MEANING[value]}
      className={`rounded-full px-2 py-0.5 text-xs font-semibold ${TONE[value] ?? "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300"}`}
    >
      {value}
    </span>
  );
}
