import { WarrenError } from "@/lib/errors";
import { live } from "@/lib/events/live";

export const dynamic = "force-dynamic";

/** The pipeline health panel's data; `?stuckAfter=N` (seconds) overrides WARREN_STUCK_AFTER_S for this answer. */
export function GET(request: Request) {
  const raw = new URL(request.url).searchParams.get("stuckAfter");
  const stuckAfter = raw === null ? undefined : Number(raw);
  if (raw !== null && (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 86_400)) {
    return new WarrenError("bad_request", "stuckAfter must be a whole number of seconds (1–86400).").toResponse();
  }
  return Response.json(live.health(stuckAfter));
}
