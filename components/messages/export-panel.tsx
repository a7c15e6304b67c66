"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { useSelection } from "./selection-picker";
import type { SelectionPanelProps } from "./types";

/**
 * A download as a plain form post: the browser streams the answer to disk as the server writes
 * it (nothing is gathered in the page first).
 */
export function ExportPanel({ ctx, ...source }: SelectionPanelProps) {
  const id = useId();
  const [format, setFormat] = useState<"jsonl" | "csv">("jsonl");
  const selection = useSelection(`${id}-which`, source);
  const payload = JSON.stringify({
    format,
    selection: selection.body,
    limit: ctx.maxRead,
    confirmConsumers: ctx.confirmConsumers || undefined,
  });
  return (
    <section aria-labelledby={`${id}-h`} className="flex flex-col gap-3">
      <h3 id={`${id}-h`} className="text-sm font-semibold">
        Export messages
      </h3>
      <form method="post" action={ctx.api("export")} className="grid gap-3 sm:grid-cols-2 sm:items-end">
        <input type="hidden" name="payload" value={payload} />
        {selection.picker}
        <div className="flex flex-wrap items-end gap-3">
          <div>
            <label htmlFor={`${id}-format`} className="text-sm font-medium">
              Format
            </label>
            <select
              id={`${id}-format`}
              data-testid="export-format"
              value={format}
              onChange={(e) => setFormat(e.target.value === "csv" ? "csv" : "jsonl")}
              className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
            >
              <option value="jsonl">JSON Lines</option>
              <option value="csv">CSV</option>
            </select>
          </div>
          <Button type="submit" disabled={!ctx.canAct} data-testid="export-run">
            Download
          </Button>
        </div>
      </form>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Reads up to {ctx.maxRead} messages (whole bodies; binary ones as base64) and hands every one back.
      </p>
    </section>
  );
}
