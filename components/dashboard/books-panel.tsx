"use client";

import useSWR from "swr";
import { count, shortOrderId } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { fetchJson } from "@/hooks/fetch-json";
import { useStreamEvent } from "@/hooks/use-event-stream";
import type { BooksReport } from "@/lib/books/books";
import { OutboxBacklog } from "./outbox-backlog";

const muted = "text-slate-600 dark:text-slate-400";

function verdict(report: BooksReport): { text: string; tone: string } {
  if (report.catchingUp) {
    return { text: `Reading the books: ${count(report.accepted)} orders so far (first pass).`, tone: muted };
  }
  if (report.difference === null) {
    return { text: "Cannot balance while the queue cannot be read (broker unreachable).", tone: muted };
  }
  if (report.balanced) {
    const moving = report.inFlight + report.outbox;
    return {
      text: moving > 0 ? `Balanced; ${count(moving)} on their way.` : "Balanced: every order is accounted for.",
      tone: "text-emerald-700 dark:text-emerald-300",
    };
  }
  const parts = [
    report.difference > 0 ? `${count(report.difference)} unaccounted` : "",
    report.paidTwice.length > 0 ? `${count(report.paidTwice.length)} paid twice` : "",
  ].filter(Boolean);
  return { text: `Out of balance: ${parts.join(", ")}.`, tone: "font-medium text-red-700 dark:text-red-300" };
}

/** Every accepted order in exactly one of outbox, queue, paid, dead-lettered: the process's one checker, live. */
export function BooksPanel() {
  // The stream's "books" events replace this value; the fetch is only the first one.
  const { data, error, mutate } = useSWR<BooksReport>("/api/books", fetchJson, { revalidateOnFocus: false });
  useStreamEvent<BooksReport>("books", (report) => void mutate(report, { revalidate: false }));
  const stats = data
    ? [
        { label: "accepted", value: data.accepted, hint: "orders accepted so far" },
        { label: "outbox", value: data.outbox, hint: "accepted, not yet confirmed by the broker" },
        {
          label: "queue",
          value: data.queue,
          hint: "ready + unacked messages (messages, not ids: a redelivery counts twice)",
        },
        { label: "in flight", value: data.inFlight, hint: "confirmed moments ago, not yet paid" },
        { label: "paid", value: data.paid, hint: "orders with a payment" },
        { label: "dead-lettered", value: data.deadLettered, hint: "orders refused to the DLQ" },
      ]
    : [];
  return (
    <section aria-labelledby="books-heading" data-testid="books" className={`${cardClass} p-4`}>
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="books-heading" className="font-semibold">
          The books
        </h2>
        {data ? (
          <span className={`text-xs ${muted}`} data-testid="books-difference">
            difference {data.difference === null ? "unknown" : count(data.difference)}
          </span>
        ) : null}
      </div>
      {!data ? (
        <p className={`mt-3 text-sm ${muted}`}>{error ? "The books are unavailable right now." : "Loading…"}</p>
      ) : (
        <>
          <dl className="mt-3 grid grid-cols-3 gap-3 tabular">
            {stats.map((s) => (
              <div key={s.label} title={s.hint}>
                <dt className={`text-xs ${muted}`}>{s.label}</dt>
                <dd className="text-lg font-semibold" data-testid={`books-${s.label.replace(" ", "-")}`}>
                  {s.value === null ? "?" : count(s.value)}
                </dd>
              </div>
            ))}
          </dl>
          <p
            role="status"
            aria-live="polite"
            className={`mt-3 text-sm ${verdict(data).tone}`}
            data-testid="books-verdict"
            data-balanced={String(data.balanced)}
          >
            {verdict(data).text}
          </p>
          {data.lost.length > 0 ? (
            <>
              <p className={`mt-2 text-xs ${muted}`}>
                Longest-waiting confirmed orders the queue cannot hold (it counts messages, not ids):
              </p>
              <ul className="mt-1 max-h-40 overflow-auto text-sm" data-testid="books-lost">
                {data.lost.map((o) => (
                  <li key={o.orderId} className="py-0.5">
                    <a
                      href={o.trace}
                      className="font-mono text-xs underline decoration-slate-400 hover:decoration-current"
                    >
                      lost: {shortOrderId(o.orderId)}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {data.backlog ? <OutboxBacklog backlog={data.backlog} at={data.at} /> : null}
          {data.paidTwice.length > 0 ? (
            <p className="mt-2 text-sm text-red-700 dark:text-red-300" data-testid="books-paid-twice">
              Paid twice: {data.paidTwice.map(shortOrderId).join(", ")}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
