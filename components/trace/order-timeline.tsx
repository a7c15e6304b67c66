import { formatClockMs } from "@/components/ui/time";
import type { Hop, OrderTrace } from "@/lib/trace/trace";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

const labels: Record<Hop["kind"], string> = {
  placed: "placed",
  confirmed: "confirmed by the broker",
  delivered: "delivered to the payment service",
  paid: "paid (committed)",
  duplicate: "duplicate suppressed",
  conflict: "conflict",
  "dead-lettered": "dead-lettered",
  acked: "acked",
  "client-retry": "client retry absorbed",
};

const dot: Record<Hop["kind"], string> = {
  placed: "bg-slate-400",
  confirmed: "bg-sky-500",
  delivered: "bg-sky-500",
  paid: "bg-emerald-500",
  duplicate: "bg-violet-500",
  conflict: "bg-red-500",
  "dead-lettered": "bg-amber-500",
  acked: "bg-emerald-700",
  "client-retry": "bg-violet-400",
};

function ms(value: number | null): string {
  if (value === null) return "";
  return value < 1000 ? `+${value} ms` : `+${(value / 1000).toFixed(2)} s`;
}

/** One order's hops in time order, with the latency of each. */
export function OrderTimeline({ trace }: { trace: OrderTrace }) {
  return (
    <section
      aria-labelledby="timeline-heading"
      data-testid="order-timeline"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="timeline-heading" className="font-semibold">
          Order <span className="font-mono text-sm">{trace.orderId}</span>
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {trace.quantity ?? "?"} × {trace.item ?? "?"}
          {trace.amountCents !== null ? ` · ${money.format(trace.amountCents / 100)}` : ""} ·{" "}
          <span data-testid="trace-status">{trace.status}</span>
          {trace.totalMs !== null ? ` · placed → paid in ${trace.totalMs} ms` : ""}
        </p>
      </div>
      {trace.duplicates > 0 ? (
        <p data-testid="trace-duplicates" className="mt-2 text-sm text-violet-800 dark:text-violet-300">
          {trace.duplicates} duplicate deliver{trace.duplicates === 1 ? "y was" : "ies were"} suppressed by the
          idempotency rule (one payment per order id).
        </p>
      ) : null}
      {trace.hops.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">No hops recorded yet.</p>
      ) : (
        <ol className="mt-4 border-l border-slate-200 pl-4 dark:border-slate-700">
          {trace.hops.map((hop, index) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: hops are an ordered history
              key={index}
              data-testid="hop"
              data-kind={hop.kind}
              className="relative pb-3 last:pb-0"
            >
              <span
                aria-hidden
                className={`absolute -left-[1.3rem] top-1.5 h-2.5 w-2.5 rounded-full ${dot[hop.kind]}`}
              />
              <div className="flex flex-wrap items-baseline gap-x-3">
                <span className="font-medium">{labels[hop.kind]}</span>
                <span className="tabular text-xs text-slate-600 dark:text-slate-400">{formatClockMs(hop.at)}</span>
                <span className="tabular text-xs text-slate-700 dark:text-slate-300" data-testid="hop-latency">
                  {ms(hop.sincePreviousMs)}
                </span>
                {hop.since ? (
                  <span className="text-xs text-slate-600 dark:text-slate-400">
                    after {labels[hop.since].split(" ")[0]}
                  </span>
                ) : null}
                {hop.redelivered ? (
                  <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
                    redelivered
                  </span>
                ) : null}
              </div>
              {hop.messageId || hop.detail ? (
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  {hop.messageId ? <span className="font-mono">message {hop.messageId}</span> : null}
                  {hop.messageId && hop.detail ? " · " : ""}
                  {hop.detail}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">
        Each latency is measured from the hop that caused it. The consumer acks after the payment&apos;s commit; “acked”
        is when that ack was sent. The broker delivers to the consumer as it confirms to the publisher, so “confirmed”
        can come after “delivered”.
      </p>
    </section>
  );
}
