import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "@/components/broker/auto-refresh";
import { ChannelTable } from "@/components/broker/channel-table";
import { CloseConnectionForm } from "@/components/broker/close-connection-form";
import { bytesRate } from "@/components/broker/connection-table";
import { LimitedNotice } from "@/components/broker/limited-notice";
import { StateBadge } from "@/components/broker/state-badge";
import { card } from "@/components/broker/styles";
import { count } from "@/components/format";
import { formatIso } from "@/components/ui/time";
import { currentAccess } from "@/lib/auth/server";
import { brokerManagement } from "@/lib/broker-admin";
import { connectionDetail } from "@/lib/broker-admin/connections";
import { decodeSegment } from "@/lib/broker-admin/vhost";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connection — Warren" };

export default async function ConnectionPage({ params }: { params: Promise<{ name: string }> }) {
  const name = decodeSegment((await params).name);
  const access = await currentAccess();
  // A connection's name, peer and channel names are client ip:port pairs: operators only.
  if (access.role !== "operator") {
    return (
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
        <h1 className="text-2xl font-bold tracking-tight">Connection</h1>
        <p role="status" data-testid="connection-operators-only" className="mt-4 text-sm">
          A connection's details show client addresses, so they are for operators only. Sign in as an operator to see
          them.
        </p>
      </main>
    );
  }
  const detail = await connectionDetail(brokerManagement(), name);
  const c = detail.connection;
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <p className="text-sm">
        <Link href="/connections" className="text-emerald-700 underline dark:text-emerald-300">
          ← Connections
        </Link>
      </p>
      <h1 className="mt-1 break-all text-2xl font-bold tracking-tight">{c?.clientName ?? name}</h1>
      <p className="break-all font-mono text-xs text-slate-600 dark:text-slate-400">{name}</p>
      {detail.mode === "limited" ? <LimitedNotice reason={detail.limitedReason} what="connection details" /> : null}
      {detail.mode === "management" && !c ? (
        <p role="status" data-testid="connection-gone" className="mt-4 text-sm">
          The broker has no open connection by this name: it was closed.
        </p>
      ) : null}
      {c ? (
        <div className="mt-4 flex flex-col gap-6">
          <dl className={`${card} grid grid-cols-2 gap-3 p-4 text-sm sm:grid-cols-4`}>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">State</dt>
              <dd>
                <StateBadge state={c.state} />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">User / vhost</dt>
              <dd className="break-all">
                {c.user ?? "—"} / <span className="font-mono">{c.vhost ?? "—"}</span>
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Peer</dt>
              <dd className="break-all font-mono">{c.peer ?? "—"}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Protocol</dt>
              <dd>{c.protocol ?? "—"}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Client</dt>
              <dd className="break-all">{c.product ?? "—"}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Send / receive</dt>
              <dd className="tabular">
                {bytesRate(c.sendRate)} / {bytesRate(c.recvRate)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Channels</dt>
              <dd className="tabular">{count(c.channels)}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Connected since (UTC)</dt>
              <dd className="tabular">{c.connectedAt === null ? "—" : formatIso(c.connectedAt)}</dd>
            </div>
          </dl>
          <section aria-labelledby="channels-heading">
            <h2 id="channels-heading" className="text-lg font-semibold">
              Channels
            </h2>
            <div className="mt-2">
              <ChannelTable channels={detail.channels} />
            </div>
          </section>
          <CloseConnectionForm
            name={name}
            access={{
              canAct: access.canAct,
              reason: access.reason,
              role: access.role,
              signInEnabled: access.signInEnabled,
            }}
          />
        </div>
      ) : null}
      <AutoRefresh ms={5000} />
    </main>
  );
}
