import { WarrenError } from "@/lib/errors";
import { decodeUtf8, readBodyBytes } from "@/lib/http/body";
import { parseMediaType } from "@/lib/http/media-type";
import { route } from "@/lib/http/route";
import { MESSAGE_COLUMNS, startExport } from "@/lib/messages";
import { downloadResponse } from "@/lib/messages/stream";
import { queueOfPath } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

const LIMIT = 512 * 1024;

/** The request as JSON, or a form post (the page's download button) whose `payload` field holds the JSON. */
async function payloadOf(request: Request, json: (o: { limit: number }) => Promise<unknown>): Promise<unknown> {
  if (parseMediaType(request.headers.get("content-type"))?.type !== "application/x-www-form-urlencoded") {
    return json({ limit: LIMIT });
  }
  const payload = new URLSearchParams(decodeUtf8(await readBodyBytes(request, LIMIT))).get("payload");
  if (payload === null) throw new WarrenError("bad_request", "The form has no payload field.");
  try {
    return JSON.parse(payload);
  } catch {
    throw new WarrenError("bad_request", "The payload field is not valid JSON.");
  }
}

/**
 * POST /api/broker/queues/{name}/export with {"format": "jsonl"|"csv", "selection": {"all": true} |
 * {"ids": [...]} | {"filter": "..."} | {"group": "..."}, "limit"?: 5000, "confirmConsumers"?: true}:
 * operator only, audited. A download written row by row as messages are read; every message goes back.
 */
export const POST = route(async ({ request, access, client, json }) => {
  const queue = queueOfPath(request);
  const abort = new AbortController();
  const { format, rows } = await startExport(
    { access: access(), client },
    queue,
    await payloadOf(request, json),
    abort.signal,
  );
  return downloadResponse(rows, { format, columns: MESSAGE_COLUMNS, filename: `${queue}-messages` }, abort, request);
});
