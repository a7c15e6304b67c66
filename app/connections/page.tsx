import type { Metadata } from "next";
import { AutoRefresh } from "@/components/broker/auto-refresh";
import { ConnectionTable } from "@/components/broker/connection-table";
import { LimitedNotice } from "@/components/broker/limited-notice";
import { VhostSelect } from "@/components/broker/vhost-select";
import { currentAccess } from "@/lib/auth/server";
import { brokerManagement } from "@/lib/broker-admin";
import { listConnections } from "@/lib/broker-admin/connections";
import { parseVhost, vhostNames } from "@/lib/broker-admin/vhost";
import { isWarrenError } from "@/lib/errors";
import { connectionsFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connections — Warren" };

export default async function ConnectionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = (await searchParams).vhost;
  let vhost: string | null = "/";
  let vhostError: string | null = null;
  try {
    vhost = parseVhost(Array.isArray(raw) ? raw[0] : raw);
  } catch (error) {
    if (!isWarrenError(error)) throw error;
    vhostError = `${error.message} Showing "/".`;
  }
  const management = brokerManagement();
  const [all, vhosts, access] = await Promise.all([
    listConnections(management, vhost),
    vhostNames(management),
    currentAccess(),
  ]);
  const list = connectionsFor(all, access);
  const held = list.connections.filter((c) => c.state === "blocked" || c.state === "flow").length;
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Connections</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Who is connected, and whose publishes the broker holds: <code>blocked</code> (held by an alarm) first, then{" "}
        <code>flow</code> (slowed down), then <code>blocking</code> (would be held on its next publish). Refreshes every
        5 s.
      </p>
      {vhostError ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {vhostError}
        </p>
      ) : null}
      {list.mode === "limited" ? <LimitedNotice reason={list.limitedReason} what="connections" /> : null}
      <div className="mt-4 flex flex-wrap items-end justify-between gap-3">
        <VhostSelect action="/connections" vhosts={vhosts} current={vhost} />
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="connection-count">
          {list.connections.length} connection{list.connections.length === 1 ? "" : "s"}
          {held > 0 ? `, ${held} held by the broker` : ""} · fetched in {list.fetchedInMs} ms
        </p>
      </div>
      <div className="mt-3">
        <ConnectionTable connections={list.connections} />
      </div>
      <AutoRefresh ms={5000} />
    </main>
  );
}
