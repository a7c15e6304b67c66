import { WarrenError } from "@/lib/errors";
import { decodeUtf8, readBodyBytes } from "@/lib/http/body";
import { crossOriginRefusal } from "@/lib/http/cross-origin";
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
  // A form post is what a cross-site page can send too: like the pages' own form posts, it must
  // name its origin (Origin or Sec-Fetch-Site), not merely fail to name another one.
  const refused = crossOriginRefusal(request, undefined, { requireOrigin: true });
  if (refused) throw new WarrenError("forbidden", `Refused: ${refused}.`);
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
    { access: await access(), client },
    queue,
    await payloadOf(request, json),
    abort.signal,
  );
  return downloadResponse(rows, { format, columns: MESSAGE_COLUMNS, filename: `${queue}-messages` }, abort, request);
});
