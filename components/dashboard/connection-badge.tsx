"use client";

import { useRef } from "react";
import { useThrottledValue } from "@/hooks/use-throttled-value";

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

/** Spoken state changes: at most one every 5 s, the latest state. */
const ANNOUNCE_EVERY_MS = 5000;

export function ConnectionBadge({ state }: { state: ConnectionState }) {
  const style = styles[state];
  const spoken = useThrottledValue(state, ANNOUNCE_EVERY_MS);
  // Loading the page and finding it live is not news; only trouble, and the way back from it, is.
  const troubled = useRef(false);
  if (spoken === "reconnecting" || spoken === "broker-down") troubled.current = true;
  const quiet = spoken === "connecting" || (spoken === "live" && !troubled.current);
  return (
    <>
      <span role="status" aria-live="polite" className="sr-only" data-testid="connection-announcement">
        {quiet ? "" : `Connection: ${styles[spoken].label}`}
      </span>
      <ConnectionPill state={state} style={style} />
    </>
  );
}

function ConnectionPill({ state, style }: { state: ConnectionState; style: (typeof styles)[ConnectionState] }) {
  return (
    <span
      data-testid="connection-badge"
      data-state={state}
      className={`inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-sm font-medium dark:border-slate-700 dark:bg-slate-900 ${style.text}`}
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${style.dot}`} />
      {style.label}
    </span>
  );
}
