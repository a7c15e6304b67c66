import type { Access } from "../auth/access";
import type { BrowseResult } from "../deadletters/workbench";
import type { QueueDetail } from "../queues/service";
import { maskFieldsOf, maskJsonText } from "./mask";

/**
 * What a viewer (anyone who may not act) sees of broker data: consumers'
 * connection and channel names carry client ip:port and are hidden; message
 * bodies have WARREN_MASK_FIELDS masked. Operators see everything.
 */
const HIDDEN = "(operators only)";

export function detailFor(detail: QueueDetail, access: Pick<Access, "canAct" | "role">): QueueDetail {
  if (access.role === "operator") return detail;
  return {
    ...detail,
    consumers: detail.consumers.map((consumer) => ({
      ...consumer,
      connection: consumer.connection === null ? null : HIDDEN,
      channel: consumer.channel === null ? null : HIDDEN,
    })),
  };
}

export function browseFor(result: BrowseResult, access: Pick<Access, "role">, fields = maskFieldsOf()): BrowseResult {
  if (access.role === "operator" || fields.size === 0) return result;
  return {
    ...result,
    messages: result.messages.map((message) => {
      const masked = message.bodyEncoding === "utf8" ? maskJsonText(message.body, fields) : null;
      return { ...message, body: masked ?? "(hidden from viewers: the body is not JSON, so it cannot be masked)" };
    }),
  };
}
