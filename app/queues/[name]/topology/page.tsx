import type { Metadata } from "next";
import Link from "next/link";
import { BindingTable } from "@/components/broker/binding-table";
import { LimitedNotice } from "@/components/broker/limited-notice";
import { card } from "@/components/broker/styles";
import { TopologyGraph } from "@/components/broker/topology-graph";
import { brokerManagement } from "@/lib/broker-admin";
import { queueBindings } from "@/lib/broker-admin/exchanges";
import { vhostOfPage } from "@/lib/broker-admin/search-params";
import { queueTopology } from "@/lib/broker-admin/topology";
import { decodeSegment } from "@/lib/broker-admin/vhost";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Queue topology — Warren" };

export default async function QueueTopologyPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const queue = decodeSegment((await params).name);
  const { vhost, error } = vhostOfPage((await searchParams).vhost);
  const management = brokerManagement();
  const started = performance.now();
  const [topology, bindings] = await Promise.all([
    queueTopology(management, vhost ?? "/", queue),
    queueBindings(management, vhost ?? "/", queue),
  ]);
  const ms = Math.round(performance.now() - started);
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <p className="text-sm">
        <Link
          href={`/queues/${encodeURIComponent(queue)}`}
          className="text-emerald-700 underline dark:text-emerald-300"
        >
          ← Queue {queue}
        </Link>
      </p>
      <h1 className="mt-1 break-all text-2xl font-bold tracking-tight">Where messages in {queue} come from</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        The exchanges and bindings that route into the queue, and where its dead letters go.
      </p>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {topology.mode === "limited" ? (
        <LimitedNotice reason={topology.limitedReason} what="bindings and topology" />
      ) : null}
      {topology.mode === "management" && !topology.exists ? (
        <p role="status" data-testid="queue-missing" className="mt-4 text-sm">
          There is no queue named {queue} in vhost {vhost}.
        </p>
      ) : null}
      {topology.exists ? (
        <div className="mt-4 flex flex-col gap-6">
          <section aria-labelledby="graph-heading" className={`${card} p-3`}>
            <h2 id="graph-heading" className="sr-only">
              Topology
            </h2>
            <TopologyGraph topology={topology} />
          </section>
          <section aria-labelledby="bindings-heading">
            <h2 id="bindings-heading" className="text-lg font-semibold">
              Bindings into the queue ({bindings?.length ?? 0})
            </h2>
            <div className="mt-2">
              <BindingTable
                bindings={bindings ?? []}
                vhost={vhost ?? "/"}
                caption="Bindings into this queue"
                testId="queue-bindings"
              />
            </div>
          </section>
          <p className="text-xs text-slate-600 dark:text-slate-400">Read from the management API in {ms} ms.</p>
        </div>
      ) : null}
    </main>
  );
}
