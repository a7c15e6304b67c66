import { TableScroll } from "@/components/ui/card";
import { formatIso } from "@/components/ui/time";
import type { AuditEntry } from "@/lib/audit/log";

const resultClass = {
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
  error: "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
  denied: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  partial: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
} as const;

/** Audit entries, newest first: on /audit, and per queue on its page. */
export function AuditTable({
  entries,
  showTarget = true,
  testId = "audit-table",
  empty = "No action has been taken yet.",
}: {
  entries: AuditEntry[];
  showTarget?: boolean;
  testId?: string;
  empty?: string;
}) {
  return (
    <TableScroll
      label="Audit entries"
      className="rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <table className="w-full text-sm" data-testid={testId}>
        <thead className="border-b border-slate-200 text-left text-xs uppercase text-slate-600 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2">
              When (UTC)
            </th>
            <th scope="col" className="px-3 py-2">
              Who
            </th>
            <th scope="col" className="px-3 py-2">
              Action
            </th>
            {showTarget ? (
              <th scope="col" className="px-3 py-2">
                Target
              </th>
            ) : null}
            <th scope="col" className="px-3 py-2">
              Result
            </th>
            <th scope="col" className="px-3 py-2">
              Details
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 ? (
            <tr>
              <td colSpan={showTarget ? 6 : 5} className="px-3 py-6 text-center text-slate-600 dark:text-slate-400">
                {empty}
              </td>
            </tr>
          ) : (
            entries.map((entry) => (
              <tr
                key={entry.id}
                data-testid="audit-row"
                data-action={entry.action}
                data-result={entry.result}
                className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
              >
                <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs tabular">{formatIso(entry.at)}</td>
                <td className="px-3 py-1.5 font-mono text-xs">{entry.actor}</td>
                <td className="px-3 py-1.5 font-mono text-xs">{entry.action}</td>
                {showTarget ? (
                  <td className="max-w-[16rem] break-all px-3 py-1.5 font-mono text-xs">{entry.target ?? "—"}</td>
                ) : null}
                <td className="px-3 py-1.5">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${resultClass[entry.result]}`}>
                    {entry.result}
                  </span>
                </td>
                <td className="max-w-[24rem] break-all px-3 py-1.5 text-xs">
                  {entry.message}
                  {entry.details ? (
                    <span className="block font-mono text-slate-600 dark:text-slate-400">
                      {JSON.stringify(entry.details)}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}
