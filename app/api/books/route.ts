import { live } from "@/lib/events/live";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * The books: every accepted order in exactly one of outbox, queue, paid,
 * dead-lettered, none paid twice. The process's one checker keeps them
 * (lib/books); this reads its latest report, never a scan of its own.
 */
export const GET = route(async () => Response.json(await live.books()));
