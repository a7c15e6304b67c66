import { benchEnabled, notFound } from "@/lib/bench-mode";

export const dynamic = "force-dynamic";

/**
 * The benchmark's ceiling: a route handler in the same production server as
 * Warren that does no I/O. Order intake is quoted as a share of this.
 */
export function GET() {
  if (!benchEnabled()) return notFound();
  return Response.json({ ok: true });
}

export function POST() {
  if (!benchEnabled()) return notFound();
  return Response.json({ ok: true });
}
