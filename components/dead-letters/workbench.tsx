"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition } from "react";
import { type DeadLetterActionState, deadLetterAction, dryRunAction } from "@/app/dead-letters/actions";
import { Button } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { ConfirmPanel } from "@/components/ui/confirm";
import { Notice, StatusLine } from "@/components/ui/status-line";
import { useLiveDepth } from "@/hooks/use-live-depth";
import type { AuditEntry } from "@/lib/audit/log";
import type { DeadLetter } from "@/lib/deadletters/decode";
import type { DeadLetterQueue } from "@/lib/deadletters/discover";
import type { Prediction } from "@/lib/deadletters/dry-run";
import type { DeadLetterActionInput } from "@/lib/deadletters/operate";
import type { BrowseResult } from "@/lib/deadletters/workbench";
import { DeadLetterAudit } from "./audit-list";
import { BulkToolbar } from "./bulk-toolbar";
import { DeadLetterRow } from "./dead-letter-row";
import { EditPanel } from "./edit-panel";
import { QueueBar } from "./queue-bar";
import { ReasonGroup } from "./reason-group";

type Pending =
  | { kind: "discard"; label: string; count: number; input: DeadLetterActionInput }
  | { kind: "edit"; message: DeadLetter };

/** One empty list for every render without messages: a fresh `[]` would re-run the effects keyed on it, forever. */
const NO_MESSAGES: DeadLetter[] = [];

export interface WorkbenchProps {
  queues: DeadLetterQueue[];
  management: boolean;
  queue: string | null;
  browse: BrowseResult | null;
  problem: string | null;
  access: { canAct: boolean; reason: string | null };
  audit: AuditEntry[];
  listLimit: number;
}

/** The dead-letter workbench: state and actions; the parts live beside it. */
export function DeadLetterWorkbench({
  queues,
  management,
  queue,
  browse,
  problem,
  access,
  audit,
  listLimit,
}: WorkbenchProps) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [status, setStatus] = useState<DeadLetterActionState | null>(null);
  const [predictions, setPredictions] = useState<Map<string, Prediction>>(new Map());
  const [isPending, startTransition] = useTransition();
  const messages = browse?.messages ?? NO_MESSAGES;
  const groups = useMemo(() => {
    const map = new Map<string, DeadLetter[]>();
    for (const m of messages) map.set(m.group, [...(map.get(m.group) ?? []), m]);
    return [...map.entries()].sort((a, b) => b[1].length - a[1].length);
  }, [messages]);
  const disabled = !access.canAct || isPending || !queue;
  // Reading a DLQ takes and hands back every message, which is not free: the live depth from the
  // tab's shared stream says when new dead letters arrive without re-reading the queue.
  const live = useLiveDepth(queues.find((q) => q.name === queue)?.own ? queue : null);
  // Only samples taken after this list was read (and handed back) say anything about it.
  const arrived = browse && live && live.at > browse.readAt && !isPending ? live.ready - browse.depth : 0;

  // Drop selections of messages that are gone after a refresh.
  useEffect(() => {
    const ids = new Set(messages.map((m) => m.id));
    setSelected((current) => new Set([...current].filter((id) => ids.has(id))));
  }, [messages]);

  function run(input: DeadLetterActionInput) {
    setPending(null);
    startTransition(async () => {
      const result = await deadLetterAction(input);
      setStatus(result);
      if (result.result) {
        setSelected(new Set());
        setPredictions(new Map());
        router.refresh();
      }
    });
  }

  function dryRunSelected(ids: string[]) {
    if (!queue) return;
    startTransition(async () => {
      const answer = await dryRunAction({ queue, selection: { ids } });
      const { result: _predicted, ...message } = answer;
      setStatus(message);
      if (answer.result) setPredictions(new Map(answer.result.predictions.map((p) => [p.id, p.prediction])));
    });
  }

  function redrive(selection: DeadLetterActionInput["selection"]) {
    if (queue) run({ queue, action: "redrive", selection });
  }

  function askDiscard(selection: DeadLetterActionInput["selection"], label: string, count: number) {
    if (queue)
      setPending({ kind: "discard", label, count, input: { queue, action: "discard", selection, confirmed: true } });
  }

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const selectedIds = [...selected];

  return (
    <div className="flex min-w-0 flex-col gap-4">
      <QueueBar
        queues={queues}
        queue={queue}
        browse={browse}
        management={management}
        listLimit={listLimit}
        busy={isPending}
      />

      {!access.canAct ? (
        <Notice tone="info" testId="access-notice">
          {access.reason} Viewing stays available.
        </Notice>
      ) : null}
      {problem ? (
        <Notice tone="danger" role="alert">
          {problem}
        </Notice>
      ) : null}

      {arrived > 0 ? (
        <Notice tone="warning" testId="new-dead-letters" className="flex flex-wrap items-center gap-3 py-2">
          {arrived} new dead letter{arrived === 1 ? "" : "s"} since this list was read.
          <Button onClick={() => router.refresh()}>Show them</Button>
        </Notice>
      ) : null}
      <StatusLine testId="action-status" error={status?.status === "error"}>
        {isPending ? "Working… (publishing with confirms, then removing the DLQ copies)" : status?.message}
      </StatusLine>

      {pending?.kind === "discard" ? (
        <ConfirmPanel
          testId="confirm-discard"
          title={`Discard ${pending.label}?`}
          confirmLabel="Confirm discard"
          onConfirm={() => run(pending.input)}
          onCancel={() => setPending(null)}
        >
          {pending.count === 1 ? "This message is" : `Up to ${pending.count} messages are`} deleted from{" "}
          <span className="font-mono">{queue}</span> for good. It is recorded in the audit log.
        </ConfirmPanel>
      ) : null}
      {pending?.kind === "edit" ? (
        <EditPanel
          message={pending.message}
          disabled={disabled}
          onCancel={() => setPending(null)}
          onRedrive={(body) =>
            queue &&
            run({
              queue,
              action: "redrive",
              selection: { ids: [pending.message.id] },
              ...(body === null ? {} : { edit: { id: pending.message.id, body } }),
            })
          }
        />
      ) : null}

      {browse && messages.length === 0 ? (
        <p
          data-testid="dlq-empty"
          className={`${cardClass} px-4 py-10 text-center text-sm text-slate-600 dark:text-slate-400`}
        >
          No dead letters in {browse.queue}. Messages the payment service cannot process land here with their reason.
        </p>
      ) : null}

      {messages.length > 0 ? (
        <BulkToolbar
          shown={messages.length}
          selected={selected.size}
          depth={browse?.depth}
          disabled={disabled}
          onSelectAll={(all) => setSelected(all ? new Set(messages.map((m) => m.id)) : new Set())}
          onRedriveSelected={() => redrive({ ids: selectedIds })}
          onDryRunSelected={() => dryRunSelected(selectedIds)}
          onDiscardSelected={() => askDiscard({ ids: selectedIds }, `${selected.size} selected`, selected.size)}
          onRedriveAll={() => redrive({ all: true })}
          onDiscardAll={() => askDiscard({ all: true }, "all", browse?.depth ?? 0)}
        />
      ) : null}

      {groups.map(([group, list]) => (
        <ReasonGroup
          key={group}
          group={group}
          count={list.length}
          disabled={disabled}
          onRedrive={() => redrive({ all: true, group })}
          onDiscard={() => askDiscard({ all: true, group }, `every message in group “${group}”`, list.length)}
        >
          {list.map((m) => (
            <DeadLetterRow
              key={m.id}
              message={m}
              selected={selected.has(m.id)}
              prediction={predictions.get(m.id)}
              onToggle={() => toggle(m.id)}
              disabled={disabled}
              onRedrive={() => redrive({ ids: [m.id] })}
              onEdit={() => setPending({ kind: "edit", message: m })}
              onDiscard={() => askDiscard({ ids: [m.id] }, `message ${m.messageId ?? m.id}`, 1)}
            />
          ))}
        </ReasonGroup>
      ))}

      <DeadLetterAudit rows={audit} />
    </div>
  );
}
