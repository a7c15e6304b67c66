import { memo } from "react";
import { shortOrderId } from "@/components/format";
import { cardClass, TableScroll } from "@/components/ui/card";
import { formatClock } from "@/components/ui/time";
import type { Payment } from "@/lib/payments/decide";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

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
    <section aria-labelledby="payments-heading" className={cardClass}>
      <div className="flex items-baseline justify-between border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 id="payments-heading" className="font-semibold">
          Live payments
        </h2>
        <span className="text-sm text-slate-600 tabular dark:text-slate-400" data-testid="payments-total">
          {total.toLocaleString("en-US")} recorded
        </span>
      </div>
      {payments.length === 0 ? (
        <p className="px-4 py-10 text-center text-sm text-slate-600 dark:text-slate-400" data-testid="payments-empty">
          No payments yet. Place an order and its payment appears here the moment the payment service records it.
        </p>
      ) : (
        // Scrolls inside the card (both ways on a phone), never the page.
        <TableScroll label="Payments" className="max-h-[32rem] overflow-y-auto [contain:content]">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Most recent payments, newest first</caption>
            <thead className="sticky top-0 bg-slate-50 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
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
        </TableScroll>
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
      <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-400">{formatClock(p.paidAt)}</td>
      <td className="whitespace-nowrap px-4 py-2 font-mono text-xs" title={p.orderId}>
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
