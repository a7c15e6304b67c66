/** The trace id in a stored W3C `traceparent` (00-<trace id>-<span id>-<flags>), or null. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : null;
}

/**
 * The page of a trace in an external viewer: WARREN_TRACE_URL with `{traceId}` replaced,
 * e.g. Jaeger's http://127.0.0.1:16686/trace/{traceId} or Grafana's explore URL for Tempo.
 * Null without a template or a well-formed trace id (32 hex digits).
 */
export function traceViewerUrl(template: string | undefined, traceId: string | null): string | null {
  if (!template || !traceId || !/^[\da-f]{32}$/.test(traceId)) return null;
  return template.replaceAll("{traceId}", traceId);
}
