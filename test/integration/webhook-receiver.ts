import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The status this receiver answered. */
  status: number;
}

/**
 * A webhook receiver on an ephemeral port, started by a test: it records every POST and answers
 * 200, or 503 for the first `failFirst` requests (a webhook that is down, then up).
 */
export async function startReceiver({ failFirst = 0 } = {}) {
  const received: Received[] = [];
  let failures = failFirst;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const status = failures > 0 ? 503 : 200;
      if (failures > 0) failures--;
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = Buffer.concat(chunks).toString("utf8");
      }
      received.push({ at: Date.now(), path: request.url ?? "", headers: request.headers, body, status });
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "down");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    received,
    /** What was accepted (answered 200). */
    accepted: () => received.filter((r) => r.status === 200),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
