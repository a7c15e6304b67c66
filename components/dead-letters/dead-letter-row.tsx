import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { formatDateTime, Time } from "@/components/ui/time";
import type { DeadLetter } from "@/lib/deadletters/decode";
import type { Prediction } from "@/lib/deadletters/dry-run";
import { PredictionLine } from "./prediction";

export function DeadLetterRow({
  message: m,
  selected,
  onToggle,
  disabled,
  onRedrive,
  onEdit,
  onDiscard,
  prediction,
}: {
  message: DeadLetter;
  selected: boolean;
  /** The dry run's outcome for this message, when one was asked for. */
  prediction?: Prediction;
  onToggle: () => void;
  disabled: boolean;
  onRedrive: () => void;
  onEdit: () => void;
  onDiscard: () => void;
}) {
  const label = m.messageId ?? `(no message id) ${m.id.slice(0, 8)}`;
  const facts: Array<[string, ReactNode, string?]> = [
    [
      "from",
      <span key="from" className="font-mono">
        {m.originalQueue ?? "unknown"}
      </span>,
    ],
    ["dead-lettered", <Time key="at" at={m.deadLetteredAt} />],
  ];
  if (m.orderId)
    facts.push([
      "order",
      <a key="order" className="break-all font-mono underline" href={`/trace?order=${encodeURIComponent(m.orderId)}`}>
        {m.orderId}
      </a>,
    ]);
  facts.push(["redriven", `${m.redriveCount}×`, "redrive-count"]);
  if (m.deaths.length > 0)
    facts.push([
      "x-death",
      m.deaths
        .map((d) => `${d.reason} ×${d.count} in ${d.queue ?? "?"}${d.time ? ` at ${formatDateTime(d.time)}` : ""}`)
        .join("; "),
    ]);
  if (m.editedFrom)
    facts.push([
      "edited from",
      <span key="edited" className="font-mono">
        {m.editedFrom}
      </span>,
    ]);

  return (
    <li data-testid="dead-letter" data-message-id={m.messageId ?? ""} data-id={m.id} className="px-4 py-3">
      <div className="flex flex-wrap items-start gap-3">
        <input type="checkbox" className="mt-1" checked={selected} onChange={onToggle} aria-label={`Select ${label}`} />
        <div className="min-w-0 flex-1">
          <p className="break-all font-mono text-sm font-medium">{label}</p>
          <p className="mt-0.5 text-sm text-red-700 dark:text-red-300" data-testid="reason">
            {m.reason}
          </p>
          {prediction ? <PredictionLine prediction={prediction} /> : null}
          <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-600 dark:text-slate-400">
            {facts.map(([term, value, testId]) => (
              <div key={term} className="min-w-0">
                <dt className="inline">{term} </dt>
                <dd className="inline" data-testid={testId}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          <pre
            className="mt-2 max-h-28 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 px-2 py-1 text-xs dark:bg-slate-800"
            data-testid="body"
          >
            {m.bodyEncoding === "base64" ? `(binary, base64) ${m.body}` : m.body}
            {m.bodyTruncated ? ` … (${m.bodyBytes} bytes)` : ""}
          </pre>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <Button variant="primary" disabled={disabled} onClick={onRedrive} aria-label={`Redrive ${label}`}>
            Redrive
          </Button>
          <Button
            disabled={disabled || m.bodyEncoding !== "utf8" || m.bodyTruncated}
            onClick={onEdit}
            aria-label={`Edit and redrive ${label}`}
          >
            Edit &amp; redrive
          </Button>
          <Button disabled={disabled} onClick={onDiscard} aria-label={`Discard ${label}`}>
            Discard
          </Button>
        </div>
      </div>
    </li>
  );
}
