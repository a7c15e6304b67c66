import { queuesSnapshot } from "@/lib/dashboard/snapshot";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(() => Response.json(queuesSnapshot()));
