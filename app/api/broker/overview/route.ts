import { brokerManagement } from "@/lib/broker-admin";
import { brokerOverview } from "@/lib/broker-admin/overview";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET /api/broker/overview — nodes, alarms, cluster-wide rates and totals (limited mode: the reason). */
export const GET = route(async () => Response.json(await brokerOverview(brokerManagement())));
