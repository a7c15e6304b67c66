import type { Access } from "../auth/access";
import type { ConnectionList } from "../broker-admin/connections";
import type { BrowseResult } from "../deadletters/workbench";
import type { QueueDetail } from "../queues/service";
import { maskFieldsOf, maskJsonText } from "./mask";

/**
 * What a viewer (anyone who may not act) sees of broker data: consumers'
 * connection and channel names carry client ip:port and are hidden (so are the
 * broker's connection names and peers, which are ip:port pairs); message
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

/**
 * The connection list as a viewer may see it: who is connected and whose publishes are held, without
 * the client addresses (a connection's name is its ip:port pair, so it goes too: `name` becomes "").
 */
export function connectionsFor(list: ConnectionList, access: Pick<Access, "role">): ConnectionList {
  if (access.role === "operator") return list;
  return {
    ...list,
    connections: list.connections.map((c) => ({ ...c, name: "", peer: c.peer === null ? null : HIDDEN })),
  };
}
