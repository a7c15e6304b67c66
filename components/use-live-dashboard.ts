"use client";

import { useEffect, useRef, useState } from "react";
import useSWR, { mutate as mutateKey } from "swr";
import type { DashboardSnapshot, PaymentsSnapshot, QueuesSnapshot } from "@/lib/dashboard/snapshot";
import type { QueueSample } from "@/lib/events/sampler";
import type { Payment } from "@/lib/payments/decide";

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

export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

export type StreamState = "connecting" | "open" | "reconnecting";

/** SWR holds the first snapshot; one EventSource per tab keeps it live. */
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
  const [stream, setStream] = useState<StreamState>("connecting");
  const pending = useRef<Payment[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastFlush = useRef(0);
  const busy = useRef(false);
  const mutateQueues = queues.mutate;
  const mutatePayments = payments.mutate;

  useEffect(() => {
    const source = new EventSource("/api/events");

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

    source.onopen = () => setStream("open");
    source.onerror = () => setStream(source.readyState === EventSource.CLOSED ? "reconnecting" : "reconnecting");
    source.addEventListener("snapshot", (event) => {
      const snapshot = JSON.parse((event as MessageEvent<string>).data) as DashboardSnapshot;
      setStream("open");
      void mutateQueues(snapshot.queues, { revalidate: false });
      void mutatePayments(snapshot.payments, { revalidate: false });
    });
    source.addEventListener("queues", (event) => {
      const sample = JSON.parse((event as MessageEvent<string>).data) as QueueSample;
      void mutateQueues(
        (current) => ({ latest: sample, history: [...(current?.history ?? []), sample].slice(-HISTORY_LIMIT) }),
        { revalidate: false },
      );
    });
    // The health panel reads SWR key /api/pipeline; the same EventSource keeps it live.
    source.addEventListener("health", (event) => {
      void mutateKey("/api/pipeline", JSON.parse((event as MessageEvent<string>).data), { revalidate: false });
    });
    source.addEventListener("payment", (event) => {
      pending.current.push(JSON.parse((event as MessageEvent<string>).data) as Payment);
      // Leading edge: a lone payment shows at once; a burst is applied once per window (longer when busy).
      const wait = busy.current ? BUSY_COALESCE_MS : Math.max(0, COALESCE_MS - (performance.now() - lastFlush.current));
      timer.current ??= setTimeout(flush, wait);
    });

    return () => {
      source.close();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [mutateQueues, mutatePayments]);

  return {
    queues: queues.data ?? initial.queues,
    payments: payments.data ?? initial.payments,
    stream,
  };
}
