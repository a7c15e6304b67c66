import { getAlarmMonitor } from "@/lib/broker-admin";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET /api/broker/alarms — the active alarms as the process's one watcher last saw them. */
export const GET = route(async () => Response.json(getAlarmMonitor().latest()));
