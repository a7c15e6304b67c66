import { WarrenError } from "@/lib/errors";
import { live } from "@/lib/events/live";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The pipeline health panel's data; `?stuckAfter=N` (seconds) overrides WARREN_STUCK_AFTER_S for this answer. */
export const GET = route(async ({ request }) => {
  const raw = new URL(request.url).searchParams.get("stuckAfter");
  if (raw !== null && (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 86_400)) {
    throw new WarrenError("bad_request", "stuckAfter must be a whole number of seconds (1–86400).");
  }
  return Response.json(await live.health(raw === null ? undefined : Number(raw)));
});
