import type { Metadata } from "next";
import Link from "next/link";
import { BindingTable } from "@/components/broker/binding-table";
import { LimitedNotice } from "@/components/broker/limited-notice";
import { card } from "@/components/broker/styles";
import { rate } from "@/components/format";
import { brokerManagement } from "@/lib/broker-admin";
import { exchangeDetail, exchangeLabel } from "@/lib/broker-admin/exchanges";
import { vhostOfPage } from "@/lib/broker-admin/search-params";
import { decodeSegment } from "@/lib/broker-admin/vhost";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exchange — Warren" };

export default async function ExchangePage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const segment = decodeSegment((await params).name);
  // The default exchange has no name; its page is /exchanges/amq.default, as in RabbitMQ's own API.
  const name = segment === "amq.default" ? "" : segment;
  const { vhost, error } = vhostOfPage((await searchParams).vhost);
  const detail = await exchangeDetail(brokerManagement(), vhost ?? "/", name);
  const e = detail.exchange;
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <p className="text-sm">
        <Link href="/exchanges" className="text-emerald-700 underline dark:text-emerald-300">
          ← Exchanges
        </Link>
      </p>
      <h1 className="mt-1 break-all text-2xl font-bold tracking-tight">{exchangeLabel(name)}</h1>
      <p className="text-xs text-slate-600 dark:text-slate-400">vhost {detail.vhost}</p>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {detail.mode === "limited" ? <LimitedNotice reason={detail.limitedReason} what="exchanges and bindings" /> : null}
      {detail.mode === "management" && !e ? (
        <p role="status" data-testid="exchange-missing" className="mt-4 text-sm">
          There is no exchange by this name in vhost {detail.vhost}.
        </p>
      ) : null}
      {e ? (
        <div className="mt-4 flex flex-col gap-6">
          <dl className={`${card} grid grid-cols-2 gap-3 p-4 text-sm sm:grid-cols-4`}>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Type</dt>
              <dd data-testid="exchange-type">{e.type ?? "—"}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Features</dt>
              <dd>
                {e.durable ? "durable" : "transient"}
                {e.internal ? ", internal" : ""}
                {e.autoDelete ? ", auto-delete" : ""}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">In / out</dt>
              <dd className="tabular">
                {rate(e.inRate)} / {rate(e.outRate)}
              </dd>
            </div>
            <div className="col-span-2 sm:col-span-1">
              <dt className="text-xs text-slate-600 dark:text-slate-400">Arguments</dt>
              <dd className="break-all font-mono text-xs">
                {Object.keys(e.arguments).length ? JSON.stringify(e.arguments) : "—"}
              </dd>
            </div>
          </dl>
          <section aria-labelledby="out-heading">
            <h2 id="out-heading" className="text-lg font-semibold">
              Routes to ({detail.outgoing.length})
            </h2>
            <div className="mt-2">
              <BindingTable
                bindings={detail.outgoing}
                vhost={detail.vhost}
                caption="Bindings from this exchange"
                testId="bindings-out"
              />
            </div>
          </section>
          <section aria-labelledby="in-heading">
            <h2 id="in-heading" className="text-lg font-semibold">
              Bound from other exchanges ({detail.incoming.length})
            </h2>
            <div className="mt-2">
              <BindingTable
                bindings={detail.incoming}
                vhost={detail.vhost}
                caption="Bindings into this exchange"
                testId="bindings-in"
              />
            </div>
          </section>
          <p className="text-xs text-slate-600 dark:text-slate-400">Fetched in {detail.fetchedInMs} ms.</p>
        </div>
      ) : null}
    </main>
  );
}
