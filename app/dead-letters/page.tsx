import type { Metadata } from "next";
import { DeadLetterSenders } from "@/components/dead-letters/senders";
import { DeadLetterWorkbench } from "@/components/dead-letters/workbench";
import { MessageTools } from "@/components/messages/message-tools";
import { recentAuditByAction } from "@/lib/audit";
import { currentAccess } from "@/lib/auth/server";
import { knownDeadLetterQueues, readDeadLetters } from "@/lib/deadletters/operate";
import { deadLetterSenders } from "@/lib/deadletters/senders";
import type { BrowseResult } from "@/lib/deadletters/workbench";
import { isWarrenError } from "@/lib/errors";
import { MAX_READ, readFacts } from "@/lib/messages";
import { browseFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dead letters — Warren" };

const LIST_LIMIT = 200;

export default async function DeadLettersPage({
  searchParams,
}: {
  searchParams: Promise<{ queue?: string | string[] }>;
}) {
  const params = await searchParams;
  const [access, discovery] = await Promise.all([currentAccess(), knownDeadLetterQueues()]);
  const requested = typeof params.queue === "string" ? params.queue : undefined;
  const known = discovery.queues.find((q) => q.name === requested);
  const queue = known ?? discovery.queues[0];
  let browse: BrowseResult | null = null;
  let problem: string | null = requested && !known ? `"${requested}" is not a dead-letter queue Warren knows.` : null;
  if (queue) {
    try {
      browse = await readDeadLetters(queue.name, LIST_LIMIT);
    } catch (error) {
      problem = isWarrenError(error) ? error.message : "The dead-letter queue could not be read.";
    }
  }
  const [audit, facts, senders] = await Promise.all([
    recentAuditByAction("dead-letters.", 10),
    queue ? readFacts(queue.name).catch(() => null) : null,
    deadLetterSenders().catch(() => null),
  ]);

  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Dead letters</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Why messages failed, grouped by reason. Redrive them (after a fix, if needed) or discard them.
          </p>
        </div>
      </header>
      <main id="main" className="mt-6">
        <DeadLetterWorkbench
          queues={discovery.queues}
          management={discovery.management}
          queue={queue?.name ?? null}
          browse={browse && browseFor(browse, access)}
          problem={problem}
          access={{ canAct: access.canAct, reason: access.reason }}
          audit={audit}
          listLimit={LIST_LIMIT}
        />
        {queue ? (
          <MessageTools
            queue={queue.name}
            facts={facts}
            access={{
              canAct: access.canAct,
              reason: access.reason,
              role: access.role,
              signInEnabled: access.signInEnabled,
            }}
            user={access.user?.name ?? "viewer"}
            maxRead={MAX_READ}
            groups={[...new Set(browse?.messages.map((m) => m.group) ?? [])]}
          />
        ) : null}
        <div className="mt-6">
          <DeadLetterSenders report={senders} />
        </div>
      </main>
    </div>
  );
}
