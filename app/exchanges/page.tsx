import type { Metadata } from "next";
import { AutoRefresh } from "@/components/broker/auto-refresh";
import { ExchangeTable } from "@/components/broker/exchange-table";
import { LimitedNotice } from "@/components/broker/limited-notice";
import { VhostSelect } from "@/components/broker/vhost-select";
import { brokerManagement } from "@/lib/broker-admin";
import { listExchanges } from "@/lib/broker-admin/exchanges";
import { vhostOfPage } from "@/lib/broker-admin/search-params";
import { vhostNames } from "@/lib/broker-admin/vhost";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exchanges — Warren" };

export default async function ExchangesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { vhost, error } = vhostOfPage((await searchParams).vhost);
  const management = brokerManagement();
  const [list, vhosts] = await Promise.all([listExchanges(management, vhost ?? "/"), vhostNames(management)]);
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Exchanges</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Where publishers send messages, and how each routes them on (open one for its bindings). Refreshes every 5 s.
      </p>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {list.mode === "limited" ? <LimitedNotice reason={list.limitedReason} what="exchanges and bindings" /> : null}
      <div className="mt-4 flex flex-wrap items-end justify-between gap-3">
        <VhostSelect action="/exchanges" vhosts={vhosts} current={list.vhost} allowAll={false} />
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="exchange-count">
          {list.exchanges.length} exchanges · fetched in {list.fetchedInMs} ms
        </p>
      </div>
      <div className="mt-3">
        <ExchangeTable exchanges={list.exchanges} vhost={list.vhost} />
      </div>
      <AutoRefresh ms={5000} />
    </main>
  );
}
