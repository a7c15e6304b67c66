import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { recentAudit } from "@/lib/audit";
import { currentAccess } from "@/lib/auth/server";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log — Warren" };

const PAGE_SIZE = 100;

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const raw = (await searchParams).page;
  const page = typeof raw === "string" && /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
  // Message previews and client addresses are for operators (and admins) only.
  const privileged = (await currentAccess()).role === "operator";
  const { entries, total } = await recentAudit(PAGE_SIZE, (page - 1) * PAGE_SIZE, { privileged });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Audit log</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every operator action and every refused attempt: who, what, when, result. Newest first.
      </p>
      <p className="mt-2 text-sm" data-testid="audit-export">
        Download the whole log:{" "}
        <a className="text-emerald-700 underline dark:text-emerald-300" href="/api/audit/export?format=jsonl" download>
          JSON Lines
        </a>{" "}
        ·{" "}
        <a className="text-emerald-700 underline dark:text-emerald-300" href="/api/audit/export?format=csv" download>
          CSV
        </a>
      </p>
      <div className="mt-4">
        <AuditTable entries={entries} />
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
