import type { QueueDepth } from "@/lib/events/sampler";
import { Sparkline } from "./sparkline";

function show(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

export function QueueCard({
  depth,
  history,
  name,
  kind,
}: {
  name: string;
  depth: QueueDepth | undefined;
  history: number[];
  kind: "work" | "dead-letter";
}) {
  const ready = depth?.ready ?? null;
  const noConsumers = kind === "work" && depth?.exists && (ready ?? 0) > 0 && depth.consumers === 0;
  const hasDeadLetters = kind === "dead-letter" && (ready ?? 0) > 0;
  return (
    <section
      aria-labelledby={`queue-${name}`}
      data-testid={`queue-card-${name}`}
      className={`rounded-xl border bg-white p-4 shadow-sm dark:bg-slate-900 ${
        hasDeadLetters ? "border-amber-400 dark:border-amber-500" : "border-slate-200 dark:border-slate-800"
      }`}
    >
      <div className="flex items-baseline justify-between gap-2">
        <h2 id={`queue-${name}`} className="font-mono text-sm font-semibold">
          {name}
        </h2>
        <span className="text-xs text-slate-500 dark:text-slate-400">
          {kind === "work" ? "order queue" : "dead letters"}
        </span>
      </div>
      {depth && !depth.exists ? (
        <p className="mt-3 text-sm text-slate-500 dark:text-slate-400">Queue not found on the broker.</p>
      ) : (
        <div className="mt-2 flex items-end justify-between gap-4">
          <dl className="grid grid-cols-3 gap-x-4 tabular">
            <div>
              <dt className="text-xs text-slate-500 dark:text-slate-400">ready</dt>
              <dd className="text-2xl font-semibold" data-testid="ready">
                {show(ready)}
              </dd>
            </div>
            <div>
              <dt
                className="text-xs text-slate-500 dark:text-slate-400"
                title="From the management API; lags a few seconds"
              >
                unacked
              </dt>
              <dd className="text-2xl font-semibold" data-testid="unacked">
                {show(depth?.unacked)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500 dark:text-slate-400">consumers</dt>
              <dd className="text-2xl font-semibold" data-testid="consumers">
                {show(depth?.consumers)}
              </dd>
            </div>
          </dl>
          <Sparkline values={history} label={`${name} ready messages`} />
        </div>
      )}
      {noConsumers ? (
        <p role="alert" className="mt-2 text-sm text-amber-700 dark:text-amber-300">
          Messages are waiting but no consumer is attached.
        </p>
      ) : null}
      {hasDeadLetters ? (
        <p className="mt-2 text-sm text-amber-700 dark:text-amber-300">
          Messages were dead-lettered: each carries its reason in the <code>x-warren-reason</code> header.
        </p>
      ) : null}
    </section>
  );
}
