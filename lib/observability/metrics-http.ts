import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WarrenMetrics } from "./metrics";

/**
 * Metrics are open by default, as exporters usually are: they hold counts and
 * timings, no order data or credentials, and are meant for a scraper on a
 * private network. With a token set, a scrape must present it as a bearer
 * token (Prometheus: `authorization: { credentials: … }`).
 */
export function metricsAllowed(authorization: string | null | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
  if (!match?.[1]) return false;
  // Equal-length digests, so the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

export interface MetricsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer to one scrape, for a Next route handler and the worker's own server alike. */
export async function scrape(
  metrics: WarrenMetrics,
  authorization: string | null | undefined,
  token: string | undefined,
): Promise<MetricsAnswer> {
  if (!metricsAllowed(authorization, token)) {
    return {
      status: 401,
      headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="warren-metrics"' },
      body: "Metrics need Authorization: Bearer <WARREN_METRICS_TOKEN>.\n",
    };
  }
  return {
    status: 200,
    headers: { "content-type": metrics.contentType, "cache-control": "no-store" },
    body: await metrics.text(),
  };
}

/**
 * `npm run worker` has no Next server: it answers GET /metrics (and nothing
 * else) on a port of its own. Resolves with the bound port.
 */
export function serveMetrics(
  metrics: WarrenMetrics,
  options: { port: number; host?: string; token?: string },
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not Found\n");
      return;
    }
    scrape(metrics, request.headers.authorization, options.token).then(
      ({ status, headers, body }) => response.writeHead(status, headers).end(body),
      (error: Error) =>
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`${error.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      // A scrape in progress must not hold the worker's exit.
      server.unref();
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
