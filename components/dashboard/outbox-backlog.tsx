import { count, shortOrderId } from "@/components/format";
import { formatAge } from "@/components/ui/time";
import type { OutboxDetail } from "@/lib/store/store";

const muted = "text-slate-600 dark:text-slate-400";

/** What waits for the broker: how many, how old, backing off how, and which process holds each lease. */
export function OutboxBacklog({ backlog, at }: { backlog: OutboxDetail; at: number }) {
  return (
    <div className="mt-4 border-t border-slate-200 pt-3 dark:border-slate-800" data-testid="books-backlog">
      <h3 className="text-sm font-semibold">Outbox backlog</h3>
      <p className="mt-1 text-sm" data-testid="backlog-summary" data-waiting={backlog.waiting}>
        {backlog.waiting === 0
          ? "Nothing waits for the broker."
          : `${count(backlog.waiting)} waiting for the broker${
              backlog.oldestAt === null ? "" : `, oldest ${formatAge(Math.max(0, at - backlog.oldestAt))}`
            }; ${count(backlog.retrying)} backing off${backlog.maxAttempts > 0 ? ` (up to ${backlog.maxAttempts} attempts)` : ""}.`}
      </p>
      {backlog.owners.length > 0 ? (
        <p className={`mt-1 text-xs ${muted}`} data-testid="backlog-owners">
          Leases held by {backlog.owners.map((o) => `${o.owner} (${count(o.rows)})`).join(", ")}
        </p>
      ) : null}
      {backlog.oldest.length > 0 ? (
        <ul className="mt-1 max-h-40 overflow-auto text-xs" data-testid="backlog-rows">
          {backlog.oldest.map((row) => (
            <li key={row.orderId} className="flex flex-wrap justify-between gap-x-2 py-0.5">
              <a
                href={`/trace?order=${encodeURIComponent(row.orderId)}`}
                className="font-mono underline decoration-slate-400 hover:decoration-current"
              >
                {shortOrderId(row.orderId)}
              </a>
              <span className={`tabular ${muted}`}>
                {row.attempts === 0
                  ? "first try"
                  : `${row.attempts} failed, next ${row.nextAttemptAt <= at ? "now" : `in ${formatAge(row.nextAttemptAt - at)}`}`}
                {" · "}
                {row.leaseOwner ?? "free"}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
