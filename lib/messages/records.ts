import "server-only";
import { auditOlderThan } from "../audit";
import { TRACE_STATUSES, type TraceStatus, trace } from "../trace";

/** Exports of what Warren keeps: the audit log and order traces, as rows read page by page. */

export const AUDIT_COLUMNS = ["id", "at", "time", "actor", "action", "target", "result", "message", "details"] as const;
const AUDIT_PAGE = 500;

/**
 * The whole audit log as it was when the export began, newest first, a page at a time (never the
 * whole log in memory). Each page is a keyset read (ids below the last one sent), so entries
 * appended while it runs neither shift the pages nor come twice, and the log is never counted.
 */
export async function* auditRows(
  privileged: boolean,
  signal: AbortSignal,
  pageSize = AUDIT_PAGE,
): AsyncGenerator<Record<string, unknown>> {
  let before: number | null = null;
  while (!signal.aborted) {
    const entries = await auditOlderThan(before, pageSize, { privileged });
    for (const entry of entries) yield { ...entry, time: new Date(entry.at).toISOString() };
    const last = entries.at(-1);
    if (!last || entries.length < pageSize) return;
    before = last.id;
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
