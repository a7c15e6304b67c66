import type { Metadata } from "next";
import { QueueTable } from "@/components/queues/queue-table";
import { brokerManagement } from "@/lib/broker-admin";
import { vhostNames } from "@/lib/broker-admin/vhost";
import { parseQueueListQuery } from "@/lib/queues/list";
import { queuePage } from "@/lib/queues/service";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Queues — Warren" };

export default async function QueuesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const parsed = parseQueueListQuery(await searchParams);
  const [initial, vhosts] = await Promise.all([queuePage(parsed.query), vhostNames(brokerManagement())]);
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Queues</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every queue of a vhost (default /), paged, filtered and sorted by the broker. Refreshes every 5 s.
      </p>
      {parsed.ok ? null : (
        <div
          role="alert"
          data-testid="query-errors"
          className="mt-4 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          Some of the address was not understood and the default was used instead:
          <ul className="ml-5 list-disc">
            {Object.entries(parsed.fieldErrors).map(([field, messages]) => (
              <li key={field}>{messages.join("; ")}</li>
            ))}
          </ul>
        </div>
      )}
      <QueueTable initial={initial} vhosts={vhosts} />
    </main>
  );
}
