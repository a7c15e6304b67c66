"use client";

import { useCallback, useEffect, useState } from "react";
import useSWR from "swr";
import type { ClientAccess } from "@/components/access-notice";
import { AuditTable } from "@/components/audit/audit-table";
import { count, rate } from "@/components/format";
import { cardClass, TableScroll } from "@/components/ui/card";
import { Notice } from "@/components/ui/status-line";
import { fetchJson } from "@/hooks/fetch-json";
import { peekCost, peekCostNote } from "@/lib/queues/delivery-limit";
import type { QueueDetail } from "@/lib/queues/service";
import { ConsumerControls } from "./consumer-controls";
import { HistoryPanel, rateSourceLabel } from "./history-panel";
import { QueueActions } from "./queue-actions";
import { OwnRatesPanel, Unreachable } from "./queue-table";

/** A pushed detail replaces what the page has. */
function merge(current: QueueDetail, incoming: QueueDetail): QueueDetail {
  // A queue deleted under our eyes: keep the last figures seen, and say so.
  const row = incoming.exists ? incoming.row : current.row;
  return { ...incoming, row };
}

export function QueueDetailView({ initial, access }: { initial: QueueDetail; access: ClientAccess }) {
  const path = `/api/broker/queues/${encodeURIComponent(initial.name)}`;
  const [pushed, setPushed] = useState(false);
  const { data, error, mutate } = useSWR<QueueDetail>(path, fetchJson, {
    fallbackData: initial,
    // The SSE stream pushes every second; polling is only the fallback while it is down.
    refreshInterval: pushed ? 0 : 5000,
    keepPreviousData: true,
  });
  const detail = data ?? initial;
  useEffect(() => {
    const source = new EventSource(`${path}/stream`);
    source.addEventListener("open", () => setPushed(true));
    source.addEventListener("error", () => setPushed(false));
    source.addEventListener("detail", (event) => {
      const incoming = JSON.parse((event as MessageEvent<string>).data) as QueueDetail;
      void mutate((current) => merge(current ?? incoming, incoming), { revalidate: false });
    });
    return () => source.close();
  }, [path, mutate]);
  const row = detail.row;
  const source = rateSourceLabel(detail.rates.source);
  const refresh = useCallback(() => void mutate(), [mutate]);

  return (
    <div className="mt-2 flex min-w-0 flex-col gap-5">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="break-all font-mono text-2xl font-bold">{detail.name}</h1>
        <span className="text-xs text-slate-600 dark:text-slate-400">
          <span data-testid="live-mode" data-mode={pushed ? "push" : "poll"}>
            {pushed
              ? "live, pushed every second"
              : error
                ? "refresh failed, retrying"
                : "reconnecting; polling every 5 s"}
          </span>{" "}
          · history stored by Warren (1 s for 10 min, 10 s for 24 h, 1 min for 30 days) ·{" "}
          <a className="underline" href={`/queues/${encodeURIComponent(detail.name)}/topology`}>
            where messages come from
          </a>
        </span>
      </header>
      {detail.unreachable ? (
        <Notice tone="danger" testId="queue-unreachable">
          The broker is unreachable, so this queue cannot be read now: it is <Unreachable lastSeen={detail.lastSeen} />.
          Warren reconnects on its own.
        </Notice>
      ) : detail.exists ? null : (
        <Notice tone="danger" role="alert" testId="queue-gone">
          This queue does not exist on the broker (or was deleted while you were watching). The figures below are the
          last ones seen.
        </Notice>
      )}
      {detail.mode === "limited" && !detail.unreachable ? (
        <Notice tone="warning" role="status" testId="limited-mode">
          <strong>limited mode: enable rabbitmq_management for all queues and rates.</strong> Depth and consumers come
          from AMQP; consumers&apos; details, arguments and policy need the management API.
        </Notice>
      ) : null}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-8 tabular" data-testid="queue-stats">
        {[
          ["Ready", count(row?.ready), "ready"],
          ["Unacked", count(row?.unacked), "unacked"],
          ["Total", count(row?.total), "total"],
          ["Consumers", count(row?.consumers), "consumers"],
          ["Publish", rate(row?.publishRate), "publish", source],
          ["Deliver", rate(row?.deliverRate), "deliver", source],
          ["Ack", rate(row?.ackRate), "ack", source],
          ["State", row?.state ?? "—", "state"],
        ].map(([label, value, id, from]) => (
          <div
            key={id}
            className="min-w-0 rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900"
          >
            <dt className="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
            <dd className="text-xl font-semibold" data-testid={`stat-${id}`}>
              {value}
            </dd>
            {from ? (
              <dd className="text-[11px] text-slate-600 dark:text-slate-400" data-testid={`source-${id}`}>
                {from}
              </dd>
            ) : null}
          </div>
        ))}
      </dl>
      <HistoryPanel queue={detail.name} />
      {detail.isOrderQueue ? (
        <>
          <ConsumerControls state={detail.warrenConsumer} access={access} onDone={refresh} />
          {detail.own ? <OwnRatesPanel own={detail.own} /> : null}
        </>
      ) : null}
      <QueueActions
        queue={detail.name}
        ready={row?.ready ?? null}
        access={access}
        onDone={refresh}
        peekNote={peekCostNote(peekCost(row?.type, detail.effectivePolicy, detail.arguments))}
      />
      <section aria-labelledby="queue-audit-heading" data-testid="queue-audit">
        <h2 id="queue-audit-heading" className="mb-2 font-semibold">
          Recent actions on this queue{" "}
          <a href="/audit" className="text-sm font-normal text-emerald-700 underline dark:text-emerald-300">
            full audit log
          </a>
        </h2>
        <AuditTable entries={detail.audit} showTarget={false} />
      </section>
      <section aria-labelledby="consumers-heading" className={`${cardClass} p-4`}>
        <h2 id="consumers-heading" className="font-semibold">
          Consumers
        </h2>
        {detail.mode === "limited" ? (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            {count(row?.consumers)} attached (details need the management API).
          </p>
        ) : detail.consumers.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400" data-testid="no-consumers">
            No consumer is attached{(row?.ready ?? 0) > 0 ? ": messages are waiting with nobody to take them." : "."}
          </p>
        ) : (
          <TableScroll label="Consumers" className="mt-2">
            <table className="w-full text-sm tabular" data-testid="consumer-table">
              <thead className="text-left text-xs uppercase text-slate-600 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3">
                    Tag
                  </th>
                  <th scope="col" className="py-1 pr-3">
                    Connection
                  </th>
                  <th scope="col" className="py-1 pr-3 text-right">
                    Prefetch
                  </th>
                  <th scope="col" className="py-1 pr-3">
                    Ack
                  </th>
                  <th scope="col" className="py-1 pr-3">
                    Active
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.consumers.map((c) => (
                  <tr
                    key={c.tag}
                    data-testid="consumer-row"
                    className="border-t border-slate-100 dark:border-slate-800"
                  >
                    <td className="py-1 pr-3 font-mono text-xs">{c.tag}</td>
                    <td className="py-1 pr-3">{c.connection ?? "—"}</td>
                    <td className="py-1 pr-3 text-right" data-testid="consumer-prefetch">
                      {c.prefetch === 0 ? "unlimited" : c.prefetch}
                    </td>
                    <td className="py-1 pr-3">{c.ackRequired ? "manual" : "auto"}</td>
                    <td className="py-1 pr-3">{c.active === null ? "—" : c.active ? "yes" : "no"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <section aria-labelledby="config-heading" className={`${cardClass} grid gap-4 p-4 md:grid-cols-2`}>
        <h2 id="config-heading" className="sr-only">
          Arguments and policy
        </h2>
        <div>
          <h3 className="font-semibold">Arguments</h3>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            {row?.type ?? "—"} · {detail.durable === null ? "—" : detail.durable ? "durable" : "transient"}
            {detail.autoDelete ? " · auto-delete" : ""}
            {detail.exclusive ? " · exclusive" : ""}
            {detail.node ? ` · ${detail.node}` : ""}
          </p>
          <KeyValues
            values={detail.arguments}
            empty={detail.mode === "limited" ? "Needs the management API." : "No x-arguments."}
            testId="queue-arguments"
          />
        </div>
        <div>
          <h3 className="font-semibold">Effective policy</h3>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            policy {detail.policy ?? "none"} · operator policy {detail.operatorPolicy ?? "none"}
          </p>
          <KeyValues
            values={detail.effectivePolicy}
            empty={detail.mode === "limited" ? "Needs the management API." : "No policy applies."}
            testId="queue-policy"
          />
          {row?.deadLetter ? (
            <p className="mt-2 text-sm" data-testid="dead-letter-target">
              Dead-letters to <code>{row.deadLetter.exchange || "(default exchange)"}</code>
              {row.deadLetter.routingKey ? (
                <>
                  {" "}
                  with key <code>{row.deadLetter.routingKey}</code>
                </>
              ) : null}{" "}
              (from {row.deadLetter.source}).
            </p>
          ) : null}
        </div>
      </section>
    </div>
  );
}

function KeyValues({ values, empty, testId }: { values: Record<string, unknown>; empty: string; testId: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{empty}</p>;
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm" data-testid={testId}>
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-mono text-xs text-slate-600 dark:text-slate-300">{key}</dt>
          <dd className="break-all font-mono text-xs">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
