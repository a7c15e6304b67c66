"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import type { DeadLetter } from "@/lib/deadletters/decode";
import { diffLines, editableText, isRealEdit } from "@/lib/deadletters/diff";

function jsonProblemOf(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Edit a dead letter's body, see the diff, and redrive it (as a new message). */
export function EditPanel({
  message,
  disabled,
  onRedrive,
  onCancel,
}: {
  message: DeadLetter;
  disabled: boolean;
  onRedrive: (body: string | null) => void;
  onCancel: () => void;
}) {
  const original = useMemo(() => editableText(message.body), [message.body]);
  const [text, setText] = useState(original);
  const changed = isRealEdit(message.body, text);
  const jsonProblem = jsonProblemOf(text);
  const diff = useMemo(() => diffLines(original, text), [original, text]);
  const areaRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => areaRef.current?.focus(), []);
  return (
    <section
      aria-labelledby="edit-title"
      data-testid="edit-panel"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      className={`${cardClass} border-emerald-300 p-4 dark:border-emerald-800`}
    >
      <h2 id="edit-title" className="break-all font-semibold">
        Edit and redrive <span className="font-mono text-sm">{message.messageId ?? message.id}</span>
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Failed because: <span className="text-red-700 dark:text-red-300">{message.reason}</span>. An edited message is a
        new message: it goes out under a new message id ({message.messageId ?? "message"}~edit-…), and the ledger still
        decides by order id and content — same order and same content as a paid one is a duplicate, other content a
        conflict.
      </p>
      <div className="mt-3 grid gap-4 lg:grid-cols-2">
        <div className="min-w-0">
          <label htmlFor="edit-body" className="text-sm font-medium">
            Message body
          </label>
          <textarea
            id="edit-body"
            ref={areaRef}
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={10}
            spellCheck={false}
            aria-describedby="edit-json-status"
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
          />
          <p
            id="edit-json-status"
            className={`mt-1 text-xs ${jsonProblem ? "text-amber-800 dark:text-amber-300" : "text-emerald-800 dark:text-emerald-300"}`}
          >
            {jsonProblem ? `Not valid JSON (${jsonProblem}); it will likely be dead-lettered again.` : "Valid JSON."}
          </p>
        </div>
        <div className="min-w-0">
          <p className="text-sm font-medium">Diff</p>
          <pre
            data-testid="edit-diff"
            className="mt-1 max-h-64 overflow-auto rounded-lg bg-slate-100 p-2 text-xs dark:bg-slate-800"
          >
            {diff.map((line, index) => (
              <span
                // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                key={index}
                data-kind={line.kind}
                className={`block ${
                  line.kind === "added"
                    ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
                    : line.kind === "removed"
                      ? "bg-red-100 text-red-900 line-through dark:bg-red-950 dark:text-red-200"
                      : ""
                }`}
              >
                {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
                {line.text}
              </span>
            ))}
          </pre>
        </div>
      </div>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button variant="primary" disabled={disabled} onClick={() => onRedrive(changed ? text : null)}>
          {changed ? "Redrive edited message" : "Redrive unchanged"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </section>
  );
}
