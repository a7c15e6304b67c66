"use client";

import { useEffect, useRef } from "react";
import useSWR, { mutate as mutateKey } from "swr";
import type { DashboardSnapshot, PaymentsSnapshot, QueuesSnapshot } from "@/lib/dashboard/snapshot";
import type { QueueSample } from "@/lib/events/sampler";
import type { Payment } from "@/lib/payments/decide";
import { fetchJson } from "./fetch-json";
import { subscribe, useStreamState } from "./use-event-stream";

const FEED_LIMIT = 100;
const HISTORY_LIMIT = 60;
/** Payments are applied at most this often, so 1,000/s does not mean 1,000 renders/s. */
const COALESCE_MS = 100;
/**
 * When a batch alone fills most of the feed (hundreds of payments a second),
 * every render replaces the whole table and nobody can read it anyway: apply
 * 4 times a second instead of 10, which keeps the main thread free for input.
 */
const BUSY_COALESCE_MS = 250;
const BUSY_BATCH = FEED_LIMIT / 2;

/** SWR holds the first snapshot; the tab's one shared EventSource keeps it live. */
export function useLiveDashboard(initial: DashboardSnapshot) {
  const queues = useSWR<QueuesSnapshot>("/api/queues", fetchJson, {
    fallbackData: initial.queues,
    revalidateOnFocus: false,
    revalidateOnMount: false,
  });
  const payments = useSWR<PaymentsSnapshot>("/api/payments", fetchJson, {
    fallbackData: initial.payments,
    revalidateOnFocus: false,
    revalidateOnMount: false,
  });
  const stream = useStreamState();
  const pending = useRef<Payment[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastFlush = useRef(0);
  const busy = useRef(false);
  const mutateQueues = queues.mutate;
  const mutatePayments = payments.mutate;

  useEffect(() => {
    const flush = () => {
      timer.current = null;
      lastFlush.current = performance.now();
      const batch = pending.current;
      pending.current = [];
      busy.current = batch.length >= BUSY_BATCH;
      if (batch.length === 0) return;
      void mutatePayments(
        (current) => {
          const known = new Set(current?.payments.map((p) => p.seq));
          const fresh = batch.filter((p) => !known.has(p.seq)).sort((a, b) => b.seq - a.seq);
          return {
            payments: [...fresh, ...(current?.payments ?? [])].slice(0, FEED_LIMIT),
            totals: {
              payments: (current?.totals.payments ?? 0) + fresh.length,
              duplicates: current?.totals.duplicates ?? 0,
            },
          };
        },
        { revalidate: false },
      );
    };

    const unsubscribe = [
      subscribe("snapshot", (data) => {
        const snapshot = data as DashboardSnapshot;
        void mutateQueues(snapshot.queues, { revalidate: false });
        void mutatePayments(snapshot.payments, { revalidate: false });
      }),
      subscribe("queues", (data) => {
        const sample = data as QueueSample;
        void mutateQueues(
          (current) => ({ latest: sample, history: [...(current?.history ?? []), sample].slice(-HISTORY_LIMIT) }),
          { revalidate: false },
        );
      }),
      // The health panel reads SWR key /api/pipeline; the same stream keeps it live.
      subscribe("health", (data) => void mutateKey("/api/pipeline", data, { revalidate: false })),
      subscribe("payment", (data) => {
        pending.current.push(data as Payment);
        // Leading edge: a lone payment shows at once; a burst is applied once per window (longer when busy).
        const wait = busy.current
          ? BUSY_COALESCE_MS
          : Math.max(0, COALESCE_MS - (performance.now() - lastFlush.current));
        timer.current ??= setTimeout(flush, wait);
      }),
    ];

    return () => {
      for (const stop of unsubscribe) stop();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [mutateQueues, mutatePayments]);

  return {
    queues: queues.data ?? initial.queues,
    payments: payments.data ?? initial.payments,
    stream,
  };
}
