import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { MAX_TRACE_EXPORT, TRACE_COLUMNS, traceRows, traceStatusOf } from "@/lib/messages/records";
import { downloadResponse } from "@/lib/messages/stream";

export const dynamic = "force-dynamic";

/**
 * GET /api/trace/export?format=jsonl|csv&q=&status=&limit=: the orders the trace page's search finds
 * (same q and status), each with every hop, written one order at a time.
 */
export const GET = route(({ request }) => {
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "jsonl";
  if (format !== "jsonl" && format !== "csv") throw new WarrenError("bad_request", "format must be jsonl or csv.");
  const rawStatus = params.get("status") || null;
  const status = traceStatusOf(rawStatus);
  if (rawStatus && !status) throw new WarrenError("bad_request", `Unknown status "${rawStatus}".`);
  const rawLimit = params.get("limit") ?? String(MAX_TRACE_EXPORT);
  const limit = Number(rawLimit);
  if (!/^\d{1,5}$/.test(rawLimit) || limit < 1 || limit > MAX_TRACE_EXPORT) {
    throw new WarrenError("bad_request", `limit must be a whole number from 1 to ${MAX_TRACE_EXPORT}.`);
  }
  const q = (params.get("q") ?? "").slice(0, 120) || undefined;
  const abort = new AbortController();
  const rows = traceRows({ q, status, limit }, abort.signal);
  return downloadResponse(rows, { format, columns: TRACE_COLUMNS, filename: "warren-traces" }, abort, request);
});
