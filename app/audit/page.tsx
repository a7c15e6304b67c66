import type { Metadata } from "next";
import Link from "next/link";
import { time } from "@/components/format";
import { recentAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log — Warren" };

const PAGE_SIZE = 100;

const resultClass = {
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
  error: "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100",
  denied: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
} as const;

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const raw = (await searchParams).page;
  const page = typeof raw === "string" && /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
  const { entries, total } = recentAudit(PAGE_SIZE, (page - 1) * PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Audit log</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every operator action and every refused attempt: who, what, when, result. Newest first.
      </p>
      <div className="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" data-testid="audit-table">
          <thead className="border-b border-slate-200 text-left text-xs uppercase text-slate-500 dark:border-slate-800 dark:text-slate-400">
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
              <th scope="col" className="px-3 py-2">
                Target
              </th>
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
                <td colSpan={6} className="px-3 py-6 text-center text-slate-500 dark:text-slate-400">
                  No action has been taken yet.
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
                  <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs tabular">{time(entry.at)}</td>
                  <td className="px-3 py-1.5 font-mono text-xs">{entry.actor}</td>
                  <td className="px-3 py-1.5 font-mono text-xs">{entry.action}</td>
                  <td className="max-w-[16rem] break-all px-3 py-1.5 font-mono text-xs">{entry.target ?? "—"}</td>
                  <td className="px-3 py-1.5">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${resultClass[entry.result]}`}>
                      {entry.result}
                    </span>
                  </td>
                  <td className="max-w-[24rem] break-all px-3 py-1.5 text-xs">
                    {entry.message}
                    {entry.details ? (
                      <span className="block font-mono text-slate-500 dark:text-slate-400">
                        {JSON.stringify(entry.details)}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav aria-label="Pages" className="mt-3 flex justify-between text-sm">
          {page > 1 ? <Link href={`/audit?page=${page - 1}`}>← Newer</Link> : <span />}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link href={`/audit?page=${page + 1}`}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </main>
  );
}
