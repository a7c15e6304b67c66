"use client";

import Link from "next/link";
import { useState } from "react";
import { useStreamEvent } from "@/hooks/use-event-stream";
import type { AlertsState } from "@/lib/alerts/board";

/**
 * The alerts firing now, on every page, live: the state on connect, then each change, as
 * `alerts` events on the tab's one live stream (every process reads them from the store; the
 * group's one leader evaluates them).
 */
export function AlertsBanner() {
  const [state, setState] = useState<AlertsState | null>(null);
  useStreamEvent<AlertsState>("alerts", setState);
  const firing = state?.firing ?? [];
  if (firing.length === 0) return null;
  const shown = firing.slice(0, 3);
  return (
    <div
      role="alert"
      data-testid="alerts-banner"
      data-count={firing.length}
      className="border-b border-amber-300 bg-amber-50 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50"
    >
      <div className="mx-auto max-w-6xl px-4 py-2 sm:px-6">
        <strong className="font-semibold">
          {firing.length === 1 ? "1 alert firing" : `${firing.length} alerts firing`}:
        </strong>{" "}
        {shown.map((i) => i.summary).join("; ")}
        {firing.length > shown.length ? `; and ${firing.length - shown.length} more` : ""}.{" "}
        <Link href="/alerts" className="font-medium underline">
          See alerts
        </Link>
      </div>
    </div>
  );
}
