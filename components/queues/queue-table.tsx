"use client";

import Form from "next/form";
import Link from "next/link";
import { useEffect, useRef } from "react";
import useSWR from "swr";
import { count, rate } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { cardClass, TableScroll } from "@/components/ui/card";
import { Notice } from "@/components/ui/status-line";
import { formatAge } from "@/components/ui/time";
import { fetchJson } from "@/hooks/fetch-json";
import type { QueueListQuery, QueueListResult, SortColumn } from "@/lib/queues/list";
import type { OwnRates } from "@/lib/queues/own-rates";

type Page = QueueListResult & { own: OwnRates };

const COLUMNS: Array<{ key: SortColumn; label: string; numeric: boolean; title?: string }> = [
  { key: "name", label: "Name", numeric: false },
  { key: "type", label: "Type", numeric: false },
  { key: "state", label: "State", numeric: false },
  { key: "ready", label: "Ready", numeric: true },
  { key: "unacked", label: "Unacked", numeric: true },
  { key: "total", label: "Total", numeric: true },
  { key: "consumers", label: "Consumers", numeric: true },
  { key: "publish", label: "Publish", numeric: true, title: "Broker-side publish rate (messages/s)" },
  { key: "deliver", label: "Deliver", numeric: true, title: "Broker-side deliver/get rate (messages/s)" },
  { key: "ack", label: "Ack", numeric: true, title: "Broker-side ack rate (messages/s)" },
];

export function queryString(query: QueueListQuery, change: Partial<QueueListQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.page !== 1) params.set("page", String(next.page));
  if (next.size !== 50) params.set("size", String(next.size));
  if (next.name) params.set("name", next.name);
  if (next.sort !== "name") params.set("sort", next.sort);
  if (next.dir !== "asc") params.set("dir", next.dir);
  if (next.vhost !== "/") params.set("vhost", next.vhost);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function QueueTable({ initial, vhosts }: { initial: Page; vhosts: string[] }) {
  const query = initial.query;
  const { data, error } = useSWR<Page>(`/api/broker/queues${queryString(query)}`, fetchJson, {
    fallbackData: initial,
    refreshInterval: 5000,
    keepPreviousData: true,
  });
  const page = data ?? initial;
  const filterRef = useRef<HTMLInputElement>(null);

  // "/" jumps to the filter, as in many dashboards.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== "/" || target?.closest("input, textarea, select, [contenteditable]")) return;
      event.preventDefault();
      filterRef.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className="mt-4 flex flex-col gap-4">
      {page.mode === "limited" ? (
        <Notice tone="warning" role="status" testId="limited-mode">
          <strong>limited mode: enable rabbitmq_management for all queues and rates.</strong> Only Warren&apos;s own
          queues are shown, read over AMQP ({page.limitedReason}).
        </Notice>
      ) : null}
      <OwnRatesPanel own={page.own} />
      <div className="flex flex-wrap items-end justify-between gap-3">
        <Form action="/queues" className="flex flex-wrap items-end gap-2" role="search">
          <div>
            <label htmlFor="queue-filter" className="text-sm font-medium">
              Filter by name{" "}
              <kbd className="ml-1 rounded border px-1 text-xs text-slate-600 dark:text-slate-400">/</kbd>
            </label>
            <input
              ref={filterRef}
              id="queue-filter"
              name="name"
              type="search"
              defaultValue={query.name}
              key={query.name}
              maxLength={200}
              placeholder="e.g. order"
              className="mt-1 block w-64 max-w-full rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:border-slate-700 dark:bg-slate-950"
            />
          </div>
          <div>
            <label htmlFor="page-size" className="text-sm font-medium">
              Per page
            </label>
            <select
              id="page-size"
              name="size"
              defaultValue={String(query.size)}
              className="mt-1 block rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
            >
              {[25, 50, 100, 250, 500].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="queue-vhost" className="text-sm font-medium">
              Vhost
            </label>
            <select
              id="queue-vhost"
              name="vhost"
              defaultValue={query.vhost}
              key={query.vhost}
              className="mt-1 block max-w-[14rem] rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
            >
              {(vhosts.includes(query.vhost) ? vhosts : [query.vhost, ...vhosts]).map((vhost) => (
                <option key={vhost} value={vhost}>
                  {vhost}
                </option>
              ))}
            </select>
          </div>
          <input type="hidden" name="sort" value={query.sort} />
          <input type="hidden" name="dir" value={query.dir} />
          <button type="submit" className={buttonClass("strong")}>
            Apply
          </button>
        </Form>
        <p className="text-sm text-slate-600 tabular dark:text-slate-400" data-testid="queue-count">
          {page.filteredCount.toLocaleString("en-US")} of {page.totalCount.toLocaleString("en-US")} queues
          {page.mode === "management" ? ` · fetched in ${page.fetchedInMs} ms` : ""}
          {error ? " · refresh failed, retrying" : ""}
        </p>
      </div>
      <TableScroll label="Queues" className={cardClass}>
        <table className="w-full text-sm tabular" data-testid="queue-table">
          <caption className="sr-only">
            Queues, sorted by {query.sort} {query.dir === "asc" ? "ascending" : "descending"}
          </caption>
          <thead className="border-b border-slate-200 text-left text-xs uppercase text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              {COLUMNS.map((column) => {
                const active = query.sort === column.key;
                const dir = active && query.dir === "asc" ? "desc" : active ? "asc" : column.numeric ? "desc" : "asc";
                return (
                  <th
                    key={column.key}
                    scope="col"
                    aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"}
                    className={`px-2 py-2 ${column.numeric ? "text-right" : ""}`}
                  >
                    <Link
                      href={`/queues${queryString(query, { sort: column.key, dir, page: 1 })}`}
                      title={column.title ?? `Sort by ${column.label.toLowerCase()}`}
                      className="rounded outline-none hover:text-slate-900 focus-visible:ring-2 focus-visible:ring-emerald-500 dark:hover:text-white"
                    >
                      {column.label}
                      {active ? (query.dir === "asc" ? " ▲" : " ▼") : ""}
                    </Link>
                  </th>
                );
              })}
              <th scope="col" className="px-2 py-2">
                Dead-letters to
              </th>
            </tr>
          </thead>
          <tbody>
            {page.rows.length === 0 ? (
              <tr>
                <td colSpan={COLUMNS.length + 1} className="px-3 py-6 text-center text-slate-600 dark:text-slate-400">
                  {query.name
                    ? `No queue name contains “${query.name}” in vhost ${query.vhost}.`
                    : `Vhost ${query.vhost} has no queues yet.`}
                </td>
              </tr>
            ) : (
              page.rows.map((row) => (
                <tr
                  key={row.name}
                  data-testid="queue-row"
                  data-queue={row.name}
                  className="border-b border-slate-100 last:border-0 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800/50"
                >
                  <td className="max-w-[22rem] truncate px-2 py-1.5 font-mono">
                    {query.vhost !== page.warrenVhost ? (
                      <span title={`Detail pages cover Warren's vhost (${page.warrenVhost})`}>{row.name}</span>
                    ) : (
                      <Link
                        href={`/queues/${encodeURIComponent(row.name)}`}
                        className="rounded text-emerald-700 underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-emerald-300"
                      >
                        {row.name}
                      </Link>
                    )}
                    {row.warren ? (
                      <span className="ml-2 rounded bg-emerald-100 px-1.5 text-xs text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100">
                        Warren
                      </span>
                    ) : null}
                  </td>
                  <td className="px-2 py-1.5">{row.type ?? "—"}</td>
                  <td className="px-2 py-1.5" data-col="state">
                    {row.state === "unreachable" ? <Unreachable lastSeen={row.lastSeen ?? null} /> : (row.state ?? "—")}
                  </td>
                  <td className="px-2 py-1.5 text-right" data-col="ready">
                    {count(row.ready)}
                  </td>
                  <td className="px-2 py-1.5 text-right">{count(row.unacked)}</td>
                  <td className="px-2 py-1.5 text-right">{count(row.total)}</td>
                  <td className="px-2 py-1.5 text-right" data-col="consumers">
                    {count(row.consumers)}
                  </td>
                  {[row.publishRate, row.deliverRate, row.ackRate].map((value, i) => (
                    <td
                      // biome-ignore lint/suspicious/noArrayIndexKey: three fixed columns
                      key={i}
                      className="px-2 py-1.5 text-right"
                      data-source={row.rateSource ?? "broker"}
                      title={
                        row.rateSource === "derived"
                          ? "derived from Warren's samples (broker statistics off)"
                          : row.rateSource === "prometheus"
                            ? "from rabbitmq_prometheus counters (broker statistics off)"
                            : undefined
                      }
                    >
                      {rate(value)}
                      {row.rateSource === "derived" ? (
                        <>
                          <sup aria-hidden="true" className="text-slate-600 dark:text-slate-400">
                            d
                          </sup>
                          <span className="sr-only"> (derived from Warren&apos;s samples)</span>
                        </>
                      ) : row.rateSource === "prometheus" ? (
                        <>
                          <sup aria-hidden="true" className="text-slate-600 dark:text-slate-400">
                            p
                          </sup>
                          <span className="sr-only"> (from rabbitmq_prometheus)</span>
                        </>
                      ) : null}
                    </td>
                  ))}
                  <td className="px-2 py-1.5 font-mono text-xs">
                    {row.deadLetter ? (
                      <span title={`from ${row.deadLetter.source}`}>
                        {row.deadLetter.exchange || "(default exchange)"}
                        {row.deadLetter.routingKey ? ` → ${row.deadLetter.routingKey}` : ""}
                        <span className="ml-1 text-slate-600 dark:text-slate-400">({row.deadLetter.source})</span>
                      </span>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </TableScroll>
      {page.rows.some((row) => row.rateSource === "derived") ? (
        <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="derived-note">
          <sup>d</sup> derived from Warren&apos;s samples: the broker keeps no rate statistics (statistics collection is
          off), so Warren computes them for the queues it samples.
        </p>
      ) : null}
      {page.rows.some((row) => row.rateSource === "prometheus") ? (
        <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="prometheus-note">
          <sup>p</sup> from rabbitmq_prometheus: the broker keeps no rate statistics, so Warren computes them from the
          plugin&apos;s per-queue counters (RABBITMQ_PROMETHEUS_URL) between two reads.
        </p>
      ) : null}
      {page.pageCount > 1 ? (
        <nav aria-label="Pages" className="flex items-center justify-between text-sm">
          {query.page > 1 ? (
            <Link
              className="rounded px-2 py-1 underline outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
              href={`/queues${queryString(query, { page: query.page - 1 })}`}
              rel="prev"
            >
              ← Previous
            </Link>
          ) : (
            <span />
          )}
          <span data-testid="page-of">
            Page {query.page} of {page.pageCount}
          </span>
          {query.page < page.pageCount ? (
            <Link
              className="rounded px-2 py-1 underline outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
              href={`/queues${queryString(query, { page: query.page + 1 })}`}
              rel="next"
            >
              Next →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </div>
  );
}

/** "unreachable (last seen 12 s ago: ready 2, consumers 1)": not "missing", the broker could not be asked. */
export function Unreachable({
  lastSeen,
  now,
}: {
  lastSeen: { at: number; ready: number | null; consumers: number | null } | null;
  now?: number;
}) {
  return (
    <span className="text-red-700 dark:text-red-300" data-testid="unreachable">
      {lastSeen
        ? `unreachable (last seen ${formatAge((now ?? Date.now()) - lastSeen.at)} ago: ready ${count(lastSeen.ready)}, consumers ${count(lastSeen.consumers)})`
        : "unreachable (not seen since Warren started)"}
    </span>
  );
}

export function OwnRatesPanel({ own }: { own: OwnRates }) {
  return (
    <section aria-labelledby="own-rates" data-testid="own-rates" className={`${cardClass} p-3 text-sm`}>
      <h2 id="own-rates" className="font-semibold">
        Warren&apos;s own rates{" "}
        <span className="font-normal text-slate-600 dark:text-slate-400">(this process&apos;s counters)</span>
      </h2>
      <dl className="mt-1 flex flex-wrap gap-x-8 gap-y-1 tabular">
        {(
          [
            ["published (confirmed)", own.publish, own.totals.published],
            ["consumed", own.deliver, own.totals.delivered],
            ["acked", own.ack, own.totals.acked],
          ] as const
        ).map(([term, perSecond, total]) => (
          <div key={term}>
            <dt className="inline text-slate-600 dark:text-slate-400">{term} </dt>
            <dd className="inline">
              <span className="font-semibold">{rate(perSecond)}</span>
              <span className="text-slate-600 dark:text-slate-400"> · {count(total)} total</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
