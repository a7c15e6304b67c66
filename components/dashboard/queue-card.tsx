import { count } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { formatAge } from "@/components/ui/time";
import type { QueueDepth } from "@/lib/events/sampler";
import { Sparkline } from "./sparkline";

/**
 * What the card says about a queue the broker could not be asked about:
 * the last answer it gave, and how old that answer is.
 */
export function unreachableText(depth: QueueDepth, sampledAt: number): string {
  const seen = depth.lastSeen;
  if (!seen) return "unreachable (not seen since Warren started)";
  return `unreachable (last seen ${formatAge(sampledAt - seen.at)} ago: ready ${count(seen.ready)}, consumers ${count(seen.consumers)})`;
}

export function QueueCard({
  depth,
  sampledAt,
  history,
  name,
  kind,
}: {
  name: string;
  depth: QueueDepth | undefined;
  /** When `depth` was sampled: "last seen N s ago" counts from it. */
  sampledAt: number;
  history: Array<number | null>;
  kind: "work" | "dead-letter";
}) {
  const ready = depth?.ready ?? null;
  const noConsumers = kind === "work" && depth?.exists && (ready ?? 0) > 0 && depth.consumers === 0;
  const hasDeadLetters = kind === "dead-letter" && (ready ?? 0) > 0;
  const state = !depth ? "unknown" : depth.unreachable ? "unreachable" : depth.exists ? "ok" : "missing";
  const stats: Array<[string, string, string, string?]> = [
    ["ready", count(ready), "ready"],
    ["unacked", count(depth?.unacked), "unacked", "From the management API; lags a few seconds"],
    ["consumers", count(depth?.consumers), "consumers"],
  ];
  return (
    <section
      aria-labelledby={`queue-${name}`}
      data-testid={`queue-card-${name}`}
      data-state={state}
      className={`${cardClass} p-4 ${hasDeadLetters ? "border-amber-400 dark:border-amber-500" : ""}`}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`queue-${name}`} className="min-w-0 break-all font-mono text-sm font-semibold">
          {name}
        </h2>
        <span className="text-xs text-slate-600 dark:text-slate-400">
          {kind === "work" ? "order queue" : "dead letters"}
        </span>
      </div>
      {state === "missing" ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400" data-testid="queue-missing">
          This queue does not exist on the broker.
        </p>
      ) : (
        <>
          {depth?.unreachable ? (
            <p className="mt-2 text-sm text-red-700 dark:text-red-300" data-testid="queue-unreachable">
              {unreachableText(depth, sampledAt)}
            </p>
          ) : null}
          <div className="mt-2 flex flex-wrap items-end justify-between gap-4">
            {/* A <dl> holds only dt/dd groups (axe definition-list); the layout sits on the groups. */}
            <dl className="grid grid-cols-3 gap-x-4 tabular">
              {stats.map(([term, value, testId, title]) => (
                <div key={term}>
                  <dt className="text-xs text-slate-600 dark:text-slate-400" title={title}>
                    {term}
                  </dt>
                  <dd className="text-2xl font-semibold" data-testid={testId}>
                    {value}
                  </dd>
                </div>
              ))}
            </dl>
            <Sparkline values={history} label={`${name} ready messages`} />
          </div>
        </>
      )}
      {noConsumers ? (
        <p role="alert" className="mt-2 text-sm text-amber-800 dark:text-amber-300">
          Messages are waiting but no consumer is attached.
        </p>
      ) : null}
      {hasDeadLetters ? (
        <p className="mt-2 text-sm text-amber-800 dark:text-amber-300">
          Messages were dead-lettered: each carries its reason in the <code>x-warren-reason</code> header.
        </p>
      ) : null}
    </section>
  );
}
