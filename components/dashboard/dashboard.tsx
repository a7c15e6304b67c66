"use client";

import { useCallback, useDeferredValue, useState } from "react";
import useSWR from "swr";
import { fetchJson } from "@/hooks/fetch-json";
import { useLiveDashboard } from "@/hooks/use-live-dashboard";
import { usePoliteAnnouncement } from "@/hooks/use-polite-announcement";
import type { DashboardSnapshot } from "@/lib/dashboard/snapshot";
import type { PipelineHealth } from "@/lib/health/pipeline";
import type { Payment } from "@/lib/payments/decide";
import { BooksPanel } from "./books-panel";
import { BrokerBanner } from "./broker-banner";
import { ConnectionBadge, type ConnectionState } from "./connection-badge";
import { CostPanel } from "./cost-panel";
import { LatencyPanel } from "./latency-panel";
import { OrderForm } from "./order-form";
import { PaymentsFeed } from "./payments-feed";
import { PipelineHealthPanel } from "./pipeline-health";
import { QueueCard } from "./queue-card";

function paymentsSaid(added: number, latest: Payment | undefined): string {
  const what = latest ? ` Latest: ${latest.item} × ${latest.quantity}.` : "";
  return `${added} new payment${added === 1 ? "" : "s"} recorded.${what}`;
}

export function Dashboard({ initial }: { initial: DashboardSnapshot }) {
  const { queues, payments, stream } = useLiveDashboard(initial);
  // The stream writes "health" events into this key (the panel reads it too); the fetch is the first value.
  const { data: health } = useSWR<PipelineHealth>("/api/pipeline", fetchJson, { revalidateOnFocus: false });
  // The feed renders at low priority: React splits it into interruptible slices,
  // so a burst of payments never blocks typing in the order form.
  const feed = useDeferredValue(payments.payments);
  const [lastOrderId, setLastOrderId] = useState<string | undefined>();
  const onPlaced = useCallback((orderId: string) => setLastOrderId(orderId), []);
  const announcement = usePoliteAnnouncement(payments.totals.payments, payments.payments[0], paymentsSaid);

  const queueName = initial.queueName;
  const dlqName = `${queueName}.dlq`;
  const latest = queues.latest;
  const brokerDown = latest?.broker === "down";
  const connection: ConnectionState =
    stream === "connecting"
      ? "connecting"
      : stream === "reconnecting"
        ? "reconnecting"
        : brokerDown
          ? "broker-down"
          : "live";
  const depthOf = (name: string) => latest?.queues.find((q) => q.name === name);
  // A sample without a number for the queue (broker away) is a gap in the line, not a zero.
  const historyOf = (name: string) => queues.history.map((s) => s.queues.find((q) => q.name === name)?.ready ?? null);
  const sampledAt = latest?.at ?? 0;

  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Warren</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">Orders → RabbitMQ → payments, live.</p>
        </div>
        <ConnectionBadge state={connection} />
      </header>
      {brokerDown ? (
        <BrokerBanner waiting={health?.outbox?.waiting ?? null} oldestAgeS={health?.outbox?.oldestAgeS ?? null} />
      ) : null}
      <p role="status" aria-live="polite" className="sr-only" data-testid="payments-announcement">
        {announcement}
      </p>
      <main id="main" className="mt-6 grid min-w-0 grid-cols-1 gap-6 lg:grid-cols-[22rem_minmax(0,1fr)]">
        <div className="flex min-w-0 flex-col gap-6">
          <OrderForm onPlaced={onPlaced} payments={payments.payments} />
          <QueueCard
            name={queueName}
            kind="work"
            depth={depthOf(queueName)}
            sampledAt={sampledAt}
            history={historyOf(queueName)}
          />
          <QueueCard
            name={dlqName}
            kind="dead-letter"
            depth={depthOf(dlqName)}
            sampledAt={sampledAt}
            history={historyOf(dlqName)}
          />
        </div>
        <div className="flex min-w-0 flex-col gap-6">
          {/* After the order form in tab order, so the form stays the first stop after the skip link. */}
          <PipelineHealthPanel brokerDown={brokerDown} />
          <BooksPanel />
          <LatencyPanel />
          <CostPanel />
          <PaymentsFeed payments={feed} total={payments.totals.payments} highlight={lastOrderId} />
        </div>
      </main>
    </div>
  );
}
