import { queuesSnapshot } from "@/lib/dashboard/snapshot";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(queuesSnapshot());
}
