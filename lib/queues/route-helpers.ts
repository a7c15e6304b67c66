import "server-only";
import { parseOr400 } from "../http/issues";
import { pathSegment } from "../http/route";
import { queueNameSchema } from "./operations";

/** The queue name from /api/broker/queues/<name>/…: decoded once, then validated (400 otherwise). */
export function queueOfPath(request: Request): string {
  return parseOr400(queueNameSchema, pathSegment(request, 4, "queue name"), "queue");
}
