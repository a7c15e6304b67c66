import { getAlarmMonitor } from "@/lib/broker-admin";
import type { AlarmState } from "@/lib/broker-admin/alarm-monitor";
import { sseEvent } from "@/lib/events/sse";
import { liveStream } from "@/lib/events/streams";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * GET /api/broker/alarms/stream — the alarm state now, then each change
 * (the process's one watcher polls the broker; browsers never do).
 */
export const GET = route(({ request, access, client }) =>
  liveStream(request, { client, signedIn: access().user !== null }, (send) => {
    const monitor = getAlarmMonitor();
    const onAlarms = (state: AlarmState) => send(sseEvent("alarms", state));
    send(sseEvent("alarms", monitor.latest()));
    monitor.on("alarms", onAlarms);
    return () => monitor.off("alarms", onAlarms);
  }),
);
