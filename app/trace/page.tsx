import type { Metadata } from "next";
import Link from "next/link";
import { OrderTimeline } from "@/components/trace/order-timeline";
import { TraceViewerLink } from "@/components/trace/trace-viewer-link";
import { buttonClass } from "@/components/ui/button";
import { cardClass, TableScroll } from "@/components/ui/card";
import { formatClock } from "@/components/ui/time";
import { type OrderSummary, TRACE_STATUSES, type TraceStatus, trace as traces } from "@/lib/trace";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Order trace — Warren" };

type Params = { q?: string | string[]; status?: string | string[]; order?: string | string[] };
const one = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);

const statusStyle: Record<OrderSummary["status"], string> = {
  paid: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  "in-flight": "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  delivered: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  "dead-lettered": "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
};

export default async function TracePage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const q = (one(params.q) ?? "").slice(0, 120);
  const rawStatus = one(params.status) ?? "";
  const status = (TRACE_STATUSES as readonly string[]).includes(rawStatus) ? (rawStatus as TraceStatus) : undefined;
  const orderId = one(params.order)?.slice(0, 200);
  const [trace, results] = await Promise.all([
    orderId ? traces.order(orderId) : null,
    traces.search({ q, status, limit: 50 }),
  ]);
  const input =
    "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";

  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Order trace</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Every hop of an order: placed → confirmed → delivered → paid → acked, with the time each took.
          </p>
        </div>
      </header>
      <main id="main" className="mt-6 flex flex-col gap-6">
        <search>
          <form
            method="get"
            className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-[1fr_12rem_auto] sm:items-end dark:border-slate-800 dark:bg-slate-900"
          >
            <div>
              <label htmlFor="trace-q" className="text-sm font-medium">
                Order id or item
              </label>
              <input id="trace-q" name="q" defaultValue={q} placeholder="e.g. 3f2a… or book" className={input} />
            </div>
            <div>
              <label htmlFor="trace-status" className="text-sm font-medium">
                Status
              </label>
              <select id="trace-status" name="status" defaultValue={status ?? ""} className={input}>
                <option value="">any</option>
                {TRACE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s === "duplicates" ? "with suppressed duplicates" : s}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className={buttonClass("primary", "px-4 py-2 font-semibold")}>
              Search
            </button>
          </form>
        </search>
        {rawStatus && !status ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            Unknown status “{rawStatus}”; showing every status.
          </p>
        ) : null}

        {orderId ? (
          trace ? (
            <>
              <OrderTimeline trace={trace} />
              <TraceViewerLink traceId={trace.traceId} url={traces.viewerUrl(trace.traceId)} />
            </>
          ) : (
            <p
              role="alert"
              data-testid="trace-not-found"
              className="rounded-lg border border-slate-300 px-4 py-3 text-sm dark:border-slate-700"
            >
              No order with id <span className="font-mono">{orderId}</span> in this ledger.
            </p>
          )
        ) : null}

        <section aria-labelledby="results-heading" className={cardClass}>
          <h2 id="results-heading" className="border-b border-slate-200 px-4 py-3 font-semibold dark:border-slate-800">
            {q || status ? "Matching orders" : "Latest orders"}{" "}
            <span className="text-sm font-normal text-slate-600 dark:text-slate-400">
              ({results.length} shown, newest first)
            </span>
          </h2>
          <p className="px-4 pt-2 text-sm" data-testid="trace-export">
            Download these orders with every hop (up to 1,000):{" "}
            {(["jsonl", "csv"] as const).map((format, i) => (
              <span key={format}>
                {i > 0 ? " · " : ""}
                <a
                  className="text-emerald-700 underline dark:text-emerald-300"
                  download
                  href={`/api/trace/export?${new URLSearchParams({ format, q, status: status ?? "" }).toString()}`}
                >
                  {format === "jsonl" ? "JSON Lines" : "CSV"}
                </a>
              </span>
            ))}
          </p>
          {results.length === 0 ? (
            <p data-testid="trace-empty" className="px-4 py-8 text-center text-sm text-slate-600 dark:text-slate-400">
              {q || status ? "No order matches." : "No orders yet. Place one on the dashboard and trace it here."}
            </p>
          ) : (
            <TableScroll label="Orders">
              <table className="w-full text-left text-sm">
                <thead className="bg-slate-50 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Order
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Item
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Status
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Placed
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Deliveries
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Duplicates
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {results.map((r) => (
                    <tr
                      key={r.orderId}
                      data-testid="trace-result"
                      className="border-t border-slate-100 dark:border-slate-800"
                    >
                      <td className="px-4 py-2 font-mono text-xs">
                        <Link
                          className="underline decoration-slate-400 hover:decoration-current"
                          href={`/trace?${new URLSearchParams({ ...(q ? { q } : {}), ...(status ? { status } : {}), order: r.orderId })}`}
                        >
                          {r.orderId}
                        </Link>
                      </td>
                      <td className="px-4 py-2">{r.item ?? "—"}</td>
                      <td className="px-4 py-2">
                        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${statusStyle[r.status]}`}>
                          {r.status}
                        </span>
                        {r.redelivered ? (
                          <span className="ml-1 text-xs text-amber-800 dark:text-amber-300">redelivered</span>
                        ) : null}
                      </td>
                      <td className="px-4 py-2 tabular">{r.placedAt ? formatClock(r.placedAt) : "—"}</td>
                      <td className="px-4 py-2 text-right tabular">{r.deliveries}</td>
                      <td className="px-4 py-2 text-right tabular">{r.duplicates}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      </main>
    </div>
  );
}
