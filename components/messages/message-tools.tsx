"use client";

import { useId, useState } from "react";
import type { ClientAccess } from "@/components/access-notice";
import { SignInLink } from "@/components/sign-in-link";
import { Card } from "@/components/ui/card";
import { ExportPanel } from "./export-panel";
import { MovePanel } from "./move-panel";
import { SearchPanel } from "./search-panel";
import type { Found, ToolsContext } from "./types";

export interface ReadFactsView {
  depth: number;
  consumers: number;
  kind: "classic" | "quorum" | "stream" | "unknown";
  cost: string;
}

/**
 * Search, move/copy and export for one queue (a queue page or the dead-letter workbench). Says
 * first what reading costs on this queue; a queue with consumers needs the operator's explicit tick.
 */
export function MessageTools({
  queue,
  facts,
  access,
  user,
  maxRead,
  groups = [],
}: {
  queue: string;
  facts: ReadFactsView | null;
  access: ClientAccess;
  user: string;
  maxRead: number;
  groups?: string[];
}) {
  const id = useId();
  const [matches, setMatches] = useState<Found[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [searched, setSearched] = useState<string | null>(null);
  const [confirmConsumers, setConfirmConsumers] = useState(false);
  const stream = facts?.kind === "stream";
  const ctx: ToolsContext = {
    queue,
    user,
    canAct: access.canAct && !stream,
    maxRead,
    confirmConsumers,
    api: (op) => `/api/broker/queues/${encodeURIComponent(queue)}/${op}`,
  };
  return (
    <Card aria-labelledby={`${id}-h`} className="mt-6 flex flex-col gap-4" data-testid="message-tools">
      <div>
        <h2 id={`${id}-h`} className="font-semibold">
          Search, move and export messages
        </h2>
        <p className="mt-1 text-sm text-slate-700 dark:text-slate-300" data-testid="read-cost">
          {facts ? facts.cost : "The queue could not be checked right now; reading takes and requeues messages."}
        </p>
        {facts && facts.consumers > 0 && !stream ? (
          <label className="mt-2 flex items-start gap-2 text-sm font-medium text-amber-900 dark:text-amber-100">
            <input
              type="checkbox"
              className="mt-0.5"
              data-testid="confirm-consumers"
              checked={confirmConsumers}
              onChange={(e) => setConfirmConsumers(e.target.checked)}
            />
            Read anyway: I accept that the {facts.consumers} consumer{facts.consumers === 1 ? "" : "s"} of this queue
            miss the messages while Warren holds them.
          </label>
        ) : null}
        {access.canAct ? null : (
          // Not the shared AccessNotice: its test id is the page's own notice, and this panel sits beside it.
          <p data-testid="message-tools-access" className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            Reading message bodies, moving and exporting are for operators. {access.reason}{" "}
            {access.signInEnabled && access.role === "viewer" ? (
              <SignInLink className="font-medium text-emerald-700 underline dark:text-emerald-300">Sign in</SignInLink>
            ) : null}
          </p>
        )}
      </div>
      <SearchPanel
        ctx={ctx}
        matches={matches}
        onMatches={setMatches}
        selected={selected}
        onSelect={setSelected}
        onSearched={setSearched}
      />
      <hr className="border-slate-200 dark:border-slate-800" />
      <MovePanel ctx={ctx} selected={selected} searched={searched} groups={groups} />
      <hr className="border-slate-200 dark:border-slate-800" />
      <ExportPanel ctx={ctx} selected={selected} searched={searched} groups={groups} />
    </Card>
  );
}
