import { processStatus } from "@/lib/process/status";

export const dynamic = "force-dynamic";

/** Liveness for Playwright and scripts; the broker's state is reported, not required. */
export function GET() {
  return Response.json(processStatus());
}
