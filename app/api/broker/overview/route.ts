import { brokerManagement } from "@/lib/broker-admin";
import { brokerOverview } from "@/lib/broker-admin/overview";
import { handle } from "@/lib/queues/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/broker/overview — nodes, alarms, cluster-wide rates and totals (limited mode: the reason). */
export function GET() {
  return handle(async () => Response.json(await brokerOverview(brokerManagement())));
}
