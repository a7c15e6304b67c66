import { alertsOverview } from "@/lib/alerts";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The alerts: firing now, the history (fired and resolved, with times), the rules, webhooks (redacted) and the guard. */
export const GET = route(async () => Response.json(await alertsOverview()));
