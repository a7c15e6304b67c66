import { timing } from "@/lib/books/timing";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Where the time goes: p50/p95/p99 and a histogram per hop over the last minute and hour (lib/books/timing.ts). */
export const GET = route(async () => Response.json(await timing.latency()));
