import { paymentsSnapshot } from "@/lib/dashboard/snapshot";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const raw = new URL(request.url).searchParams.get("limit");
  const limit = raw && /^\d+$/.test(raw) ? Math.min(500, Math.max(1, Number(raw))) : undefined;
  return Response.json(paymentsSnapshot(limit));
}
