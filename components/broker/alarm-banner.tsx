"use client";

import Link from "next/link";
import { useState } from "react";
import { useStreamEvent } from "@/hooks/use-event-stream";
import type { AlarmState } from "@/lib/broker-admin/alarm-monitor";

/**
 * A resource alarm on any page, live: the most common reason a pipeline
 * stops ("publishers are blocked"). It rides the tab's one live stream
 * (`alarms` events on /api/events), fed by the process's one alarm watcher.
 */
export function AlarmBanner() {
  const [state, setState] = useState<AlarmState | null>(null);
  useStreamEvent<AlarmState>("alarms", setState);
  const alarms = state?.alarms ?? [];
  const blocked = state?.publisherBlocked ?? null;
  if (alarms.length === 0 && blocked === null) return null;
  return (
    <div
      role="alert"
      data-testid="alarm-banner"
      className="border-b border-red-300 bg-red-50 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <div className="mx-auto max-w-6xl px-4 py-2 sm:px-6">
        <strong className="font-semibold">Publishers are blocked.</strong>{" "}
        {alarms.length > 0
          ? alarms.map((alarm) => `${alarm.kind} alarm on ${alarm.node} (${alarm.detail})`).join("; ")
          : `The broker blocked Warren's publisher: ${blocked}`}
        . Publishes wait until the alarm clears; consumers keep going.{" "}
        <Link href="/broker" className="font-medium underline">
          See the broker
        </Link>
      </div>
    </div>
  );
}
