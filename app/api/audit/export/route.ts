import { WarrenError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { AUDIT_COLUMNS, auditRows } from "@/lib/messages/records";
import { downloadResponse } from "@/lib/messages/stream";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/export?format=jsonl|csv: the whole audit log, newest first, streamed a page at a time.
 * Redacted as the audit page is: message previews and client addresses only for operators.
 */
export const GET = route(({ request, access }) => {
  const format = new URL(request.url).searchParams.get("format") ?? "jsonl";
  if (format !== "jsonl" && format !== "csv") throw new WarrenError("bad_request", "format must be jsonl or csv.");
  const abort = new AbortController();
  const rows = auditRows(access().role === "operator", abort.signal);
  return downloadResponse(rows, { format, columns: AUDIT_COLUMNS, filename: "warren-audit" }, abort, request);
});
