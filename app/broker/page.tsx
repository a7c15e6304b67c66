import type { Metadata } from "next";
import { AutoRefresh } from "@/components/broker/auto-refresh";
import { OverviewView } from "@/components/broker/overview-view";
import { brokerManagement } from "@/lib/broker-admin";
import { brokerOverview } from "@/lib/broker-admin/overview";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Broker — Warren" };

export default async function BrokerPage() {
  const overview = await brokerOverview(brokerManagement());
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Broker</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every node, active alarms, and what the whole cluster is doing.
        {overview.rabbitmqVersion ? ` RabbitMQ ${overview.rabbitmqVersion}.` : ""}
      </p>
      <OverviewView overview={overview} />
      <AutoRefresh ms={5000} />
    </main>
  );
}
