"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { DeadLetterQueue } from "@/lib/deadletters/discover";
import type { BrowseResult } from "@/lib/deadletters/workbench";

/** Which DLQ is open, how deep it is, and how reading it works. */
export function QueueBar({
  queues,
  queue,
  browse,
  management,
  listLimit,
  busy,
}: {
  queues: DeadLetterQueue[];
  queue: string | null;
  browse: BrowseResult | null;
  management: boolean;
  listLimit: number;
  busy: boolean;
}) {
  const router = useRouter();
  return (
    <Card className="flex flex-wrap items-end justify-between gap-3">
      <form method="get" className="flex min-w-0 flex-wrap items-end gap-2">
        <div className="min-w-0 max-w-full">
          <label htmlFor="dlq-picker" className="block text-xs text-slate-600 dark:text-slate-400">
            Dead-letter queue
          </label>
          <select
            id="dlq-picker"
            name="queue"
            defaultValue={queue ?? undefined}
            className="mt-1 max-w-full rounded-lg border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"
          >
            {queues.map((q) => (
              <option key={q.name} value={q.name}>
                {q.name} ← {q.sources.join(", ")}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit">Open</Button>
      </form>
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-300">
        {browse ? (
          <span className="break-all">
            <span data-testid="dlq-depth" className="font-semibold tabular">
              {browse.depth}
            </span>{" "}
            ready in <span className="font-mono">{browse.queue}</span>
            {browse.more ? ` (showing the first ${listLimit})` : ""}
          </span>
        ) : null}
        <Button onClick={() => router.refresh()} disabled={busy}>
          Refresh
        </Button>
      </div>
      {!management ? (
        <p className="w-full text-xs text-slate-600 dark:text-slate-400">
          Limited mode: the management API is not reachable, so only Warren&apos;s own DLQ is listed. Enable
          rabbitmq_management to find every queue with a dead-letter target.
        </p>
      ) : null}
      <p className="w-full text-xs text-slate-600 dark:text-slate-400">
        Reading is non-destructive: Warren takes each message with basic.get and hands it straight back (requeue), which
        sets the broker&apos;s redelivered flag on it.
      </p>
    </Card>
  );
}
