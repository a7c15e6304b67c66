import "server-only";
import { recentAudit } from "../audit";
import { TRACE_STATUSES, type TraceStatus, trace } from "../trace";

/** Exports of what Warren keeps: the audit log and order traces, as rows read page by page. */

export const AUDIT_COLUMNS = ["id", "at", "time", "actor", "action", "target", "result", "message", "details"] as const;
const AUDIT_PAGE = 500;

/**
 * The whole audit log, newest first, a page at a time (never the whole log in memory).
 * Entries appended while it runs shift the pages; an entry already written is skipped by id.
 */
export async function* auditRows(privileged: boolean, signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  let offset = 0;
  let lowest = Number.POSITIVE_INFINITY;
  while (!signal.aborted) {
    const { entries } = await recentAudit(AUDIT_PAGE, offset, { privileged });
    if (entries.length === 0) return;
    offset += entries.length;
    for (const entry of entries) {
      if (entry.id >= lowest) continue;
      lowest = entry.id;
      yield { ...entry, time: new Date(entry.at).toISOString() };
    }
  }
}

export const TRACE_COLUMNS = [
  "orderId",
  "item",
  "quantity",
  "status",
  "placedAt",
  "paidAt",
  "deliveries",
  "duplicates",
  "redelivered",
  "amountCents",
  "error",
  "totalMs",
  "hops",
] as const;
export const MAX_TRACE_EXPORT = 1000;

export function traceStatusOf(raw: string | null): TraceStatus | undefined {
  return raw && (TRACE_STATUSES as readonly string[]).includes(raw) ? (raw as TraceStatus) : undefined;
}

/** The orders the trace page's search finds (same q and status), each with its hops, one order at a time. */
export async function* traceRows(
  query: { q?: string; status?: TraceStatus; limit: number },
  signal: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  const found = await trace.search(query);
  for (const summary of found) {
    if (signal.aborted) return;
    const full = await trace.order(summary.orderId);
    yield { ...(full ?? summary) };
  }
}
