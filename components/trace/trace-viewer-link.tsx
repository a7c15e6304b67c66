/**
 * The order's distributed trace (issue 12, part 8): its OpenTelemetry trace id and, when
 * WARREN_TRACE_URL is set, a link to that trace in the external viewer (Jaeger, Tempo…).
 */
export function TraceViewerLink({ traceId, url }: { traceId: string | null; url: string | null }) {
  if (!traceId) {
    return (
      <p data-testid="trace-viewer-none" className="text-sm text-slate-600 dark:text-slate-400">
        No distributed trace for this order (tracing was off when it was placed, or another producer sent it).
      </p>
    );
  }
  return (
    <p
      data-testid="trace-viewer"
      className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-sm text-slate-700 dark:text-slate-300"
    >
      <span>
        Distributed trace <code className="font-mono text-xs break-all">{traceId}</code>
      </span>
      {url ? (
        <a
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          data-testid="trace-viewer-link"
          className="font-medium text-sky-800 underline decoration-sky-400 hover:decoration-current dark:text-sky-300"
        >
          Open in the trace viewer<span className="sr-only"> (opens in a new tab)</span>
        </a>
      ) : (
        <span className="text-slate-600 dark:text-slate-400">
          (set WARREN_TRACE_URL to link it to your trace viewer)
        </span>
      )}
    </p>
  );
}
