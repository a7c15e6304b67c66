import { timing } from "@/lib/books/timing";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The cost of exactly-once: duplicates and conflicts absorbed per minute over the last hour, by cause. */
export const GET = route(async () => Response.json(await timing.cost()));
