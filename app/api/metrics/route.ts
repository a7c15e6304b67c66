import { env } from "@/lib/config/env";
import { scrape } from "@/lib/observability/metrics-http";
import { getRuntime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

/** This process's metrics in Prometheus text format; a bearer token when WARREN_METRICS_TOKEN is set. */
export async function GET(request: Request) {
  const { status, headers, body } = await scrape(
    getRuntime().metrics,
    request.headers.get("authorization"),
    env().WARREN_METRICS_TOKEN,
  );
  return new Response(body, { status, headers });
}
