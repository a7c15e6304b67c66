"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { AlarmState } from "@/lib/broker-admin/alarm-monitor";

const STREAM = "/api/broker/alarms/stream";

/**
 * A resource alarm on any page, live: the most common reason a pipeline
 * stops ("publishers are blocked"). One stream per browser, not per tab: the
 * tab holding a Web Lock reads it and shares each state with the other tabs
 * over a BroadcastChannel (streams count against a per-client cap, and the
 * dashboard needs its own); when that tab closes, the next one takes over.
 */
export function AlarmBanner() {
  const [state, setState] = useState<AlarmState | null>(null);
  useEffect(() => {
    const shared = typeof BroadcastChannel === "function" ? new BroadcastChannel("warren-alarms") : null;
    const stop = new AbortController();
    let last: AlarmState | null = null;
    const lead = () =>
      new Promise<void>((resolve) => {
        const source = new EventSource(STREAM);
        source.addEventListener("alarms", (event) => {
          last = JSON.parse((event as MessageEvent<string>).data) as AlarmState;
          setState(last);
          shared?.postMessage(last);
        });
        stop.signal.addEventListener("abort", () => {
          source.close();
          resolve();
        });
      });
    if (shared) {
      shared.onmessage = (event: MessageEvent<AlarmState | "hello">) => {
        if (event.data === "hello") {
          if (last) shared.postMessage(last);
        } else {
          setState(event.data);
        }
      };
    }
    if (shared && navigator.locks) {
      navigator.locks.request("warren-alarms", { signal: stop.signal }, lead).catch(() => {});
      shared.postMessage("hello");
    } else {
      void lead();
    }
    return () => {
      stop.abort();
      shared?.close();
    };
  }, []);
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
