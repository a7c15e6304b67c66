export const dynamic = "force-dynamic";

/**
 * The benchmark's ceiling: a route handler in the same production server as
 * Warren that does no I/O. Order intake is quoted as a share of this. Only a
 * bench build (WARREN_BENCH_BUILD=1, see next.config.mjs) contains it.
 */
export function GET() {
  return Response.json({ ok: true });
}

export function POST() {
  return Response.json({ ok: true });
}
