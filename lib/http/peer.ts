import type { IncomingMessage } from "node:http";
import { Server } from "node:http";

/**
 * Next's route handlers never see the socket, and Next copies the socket's
 * address into X-Forwarded-For only when the client did not send one, so a
 * client could pick its own address. This stamps the real peer address on
 * every request, overwriting whatever the client put in that header, before
 * Next reads it. Installed once per process from instrumentation.
 */
export const PEER_HEADER = "x-warren-peer";

const marker = Symbol.for("warren.peer-address-installed");

export function installPeerAddress(): void {
  const proto = Server.prototype as Server & { [marker]?: boolean };
  if (proto[marker]) return;
  proto[marker] = true;
  const emit = proto.emit;
  proto.emit = function patchedEmit(this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as IncomingMessage;
      request.headers[PEER_HEADER] = request.socket?.remoteAddress ?? "unknown";
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof proto.emit;
}
