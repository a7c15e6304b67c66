import { healthStatus } from "@/lib/health/status";

export const dynamic = "force-dynamic";

/**
 * Readiness that tells the truth: 200 only while this process can publish
 * and (where it runs a consumer) pay; 503 otherwise, with what cannot work,
 * why, and for how long, so an orchestrator can drain or restart it.
 */
export function GET() {
  const status = healthStatus();
  return Response.json(status, { status: status.ready ? 200 : 503 });
}
