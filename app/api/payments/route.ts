import { paymentsSnapshot } from "@/lib/dashboard/snapshot";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async ({ request }) => {
  const raw = new URL(request.url).searchParams.get("limit");
  const limit = raw && /^\d{1,6}$/.test(raw) ? Math.min(500, Math.max(1, Number(raw))) : undefined;
  return Response.json(await paymentsSnapshot(limit));
});
