"use client";

import { useCallback, useDeferredValue, useState } from "react";
import type { DashboardSnapshot } from "@/lib/dashboard/snapshot";
import { ConnectionBadge, type ConnectionState } from "./connection-badge";
import { OrderForm } from "./order-form";
import { PaymentsFeed } from "./payments-feed";
import { PipelineHealthPanel } from "./pipeline-health";
import { QueueCard } from "./queue-card";
import { useLiveDashboard } from "./use-live-dashboard";

export function Dashboard({ initial }: { initial: DashboardSnapshot }) {
  const { queues, payments, stream } = useLiveDashboard(initial);
  // The feed renders at low priority: React splits it into interruptible slices,
  // so a burst of payments never blocks typing in the order form.
  const feed = useDeferredValue(payments.payments);
  const [lastOrderId, setLastOrderId] = useState<string | undefined>();
  const onPlaced = useCallback((orderId: string) => setLastOrderId(orderId), []);

  const queueName = initial.queueName;
  const dlqName = `${queueName}.dlq`;
  const brokerDown = queues.latest?.broker === "down";
  const connection: ConnectionState =
    stream === "connecting"
      ? "connecting"
      : stream === "reconnecting"
        ? "reconnecting"
        : brokerDown
          ? "broker-down"
          : "live";
  const depthOf = (name: string) => queues.latest?.queues.find((q) => q.name === name);
  const historyOf = (name: string) => queues.history.map((s) => s.queues.find((q) => q.name === name)?.ready ?? 0);

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
        <p
          role="alert"
          className="mt-4 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          The message broker is unreachable. Warren keeps retrying and will resume on its own; orders cannot be placed
          until it is back.
        </p>
      ) : null}
      <main id="main" className="mt-6 grid gap-6 lg:grid-cols-[22rem_1fr]">
        <div className="flex flex-col gap-6">
          <OrderForm onPlaced={onPlaced} payments={payments.payments} />
          <QueueCard name={queueName} kind="work" depth={depthOf(queueName)} history={historyOf(queueName)} />
          <QueueCard name={dlqName} kind="dead-letter" depth={depthOf(dlqName)} history={historyOf(dlqName)} />
        </div>
        <div className="flex flex-col gap-6">
          {/* After the order form in tab order, so the form stays the first stop after the skip link. */}
          <PipelineHealthPanel />
          <PaymentsFeed payments={feed} total={payments.totals.payments} highlight={lastOrderId} />
        </div>
      </main>
    </div>
  );
}
