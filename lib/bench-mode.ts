/**
 * The benchmark's own endpoints answer only when the server was started with
 * WARREN_BENCH=1; otherwise they are 404 like any unknown path. Read at
 * request time (not inlined at build time), so one build serves both.
 */
export function benchEnabled(): boolean {
  return process.env.WARREN_BENCH === "1";
}

export function notFound(): Response {
  return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}
