import { env } from "@/lib/config/env";
import { scrape } from "@/lib/observability/metrics-http";
import { findWarren } from "@/lib/process/current";

export const dynamic = "force-dynamic";

/** This process's metrics in Prometheus text format; a bearer token when WARREN_METRICS_TOKEN is set. */
export async function GET(request: Request) {
  const warren = findWarren();
  if (!warren) {
    return new Response("Warren is not running in this process (starting or shutting down).\n", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "1" },
    });
  }
  const { status, headers, body } = await scrape(
    warren.metrics,
    request.headers.get("authorization"),
    env().WARREN_METRICS_TOKEN,
  );
  return new Response(body, { status, headers });
}
