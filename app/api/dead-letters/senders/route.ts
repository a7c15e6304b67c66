import { deadLetterSenders } from "@/lib/deadletters/senders";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Who sends bad messages: per reason group, first and last seen, the rate, and the producers' app_id/user_id. */
export const GET = route(async () => Response.json(await deadLetterSenders()));
