import { memo } from "react";
import type { Payment } from "@/lib/payments/decide";
import { shortOrderId } from "./format";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

const columns = [
  ["Paid", ""],
  ["Order", ""],
  ["Item", ""],
  ["Qty", "text-right"],
  ["Amount", "text-right"],
  ["Place→pay", "text-right"],
] as const;

/**
 * Memoised, like each row: at 1,000 payments/s the feed re-renders up to ten
 * times a second, and rows that stay on screen should not be formatted again.
 */
export const PaymentsFeed = memo(function PaymentsFeed({
  payments,
  total,
  highlight,
}: {
  payments: Payment[];
  total: number;
  highlight?: string;
}) {
  return (
    <section
      aria-labelledby="payments-heading"
      className="rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-baseline justify-between border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 id="payments-heading" className="font-semibold">
          Live payments
        </h2>
        <span className="text-sm text-slate-500 tabular dark:text-slate-400" data-testid="payments-total">
          {total.toLocaleString("en-US")} recorded
        </span>
      </div>
      {payments.length === 0 ? (
        <p className="px-4 py-10 text-center text-sm text-slate-500 dark:text-slate-400" data-testid="payments-empty">
          No payments yet. Place an order and its payment appears here the moment the payment service records it.
        </p>
      ) : (
        <div className="max-h-[32rem] overflow-auto [contain:content]">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Most recent payments, newest first</caption>
            <thead className="sticky top-0 bg-slate-50 text-xs text-slate-500 dark:bg-slate-800 dark:text-slate-400">
              <tr>
                {columns.map(([label, align]) => (
                  <th key={label} scope="col" className={`px-4 py-2 font-medium ${align}`}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="tabular">
              {payments.map((p) => (
                <PaymentRow key={p.seq} payment={p} highlighted={p.orderId === highlight} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});

const PaymentRow = memo(function PaymentRow({ payment: p, highlighted }: { payment: Payment; highlighted: boolean }) {
  return (
    <tr
      data-testid="payment-row"
      data-order-id={p.orderId}
      className={`border-t border-slate-100 dark:border-slate-800 ${highlighted ? "arrive font-medium" : ""}`}
    >
      <td className="px-4 py-2 text-slate-500 dark:text-slate-400">{time.format(p.paidAt)}</td>
      <td className="px-4 py-2 font-mono text-xs" title={p.orderId}>
        {shortOrderId(p.orderId)}
      </td>
      <td className="max-w-[14rem] truncate px-4 py-2" title={p.item}>
        {p.item}
      </td>
      <td className="px-4 py-2 text-right">{p.quantity}</td>
      <td className="px-4 py-2 text-right">{money.format(p.amountCents / 100)}</td>
      <td className="px-4 py-2 text-right">{p.latencyMs === null ? "—" : `${p.latencyMs} ms`}</td>
    </tr>
  );
});
