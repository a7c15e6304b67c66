import { getAlarmMonitor } from "@/lib/broker-admin";
import { handle } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/broker/alarms — the active alarms as the process's one watcher last saw them. */
export function GET() {
  return handle(async () => Response.json(getAlarmMonitor().latest()));
}
