"use client";

import useSWR from "swr";
import { count, shortOrderId } from "@/components/format";
import { cardClass } from "@/components/ui/card";
import { formatAge } from "@/components/ui/time";
import { fetchJson } from "@/hooks/fetch-json";
import type { PipelineHealth } from "@/lib/health/pipeline";

function drainText(drain: PipelineHealth["drain"], brokerDown: boolean): string {
  if (drain.ready === null)
    return brokerDown ? "unknown while the broker is unreachable" : "unknown (queue not sampled)";
  if (drain.ready === 0) return "empty: nothing to drain";
  if (drain.seconds === null) return `${count(drain.ready)} ready, no progress in the last 10 s`;
  const s = drain.seconds;
  const human = s < 1 ? "under 1 s" : s < 120 ? `~${Math.ceil(s)} s` : `~${Math.ceil(s / 60)} min`;
  return `${human} (${count(drain.ready)} ready at ${drain.ratePerS}/s)`;
}

/** Orders accepted and kept in the outbox, not yet confirmed by the broker: all of them while it is away. */
function OutboxLine({ outbox }: { outbox: PipelineHealth["outbox"] | undefined }) {
  if (!outbox) return null;
  return (
    <p className="mt-3 text-sm" data-testid="health-outbox" data-waiting={outbox.waiting}>
      <span className="text-slate-600 dark:text-slate-400">Waiting to be sent to the broker: </span>
      {outbox.waiting === 0
        ? "none"
        : `${count(outbox.waiting)} order${outbox.waiting === 1 ? "" : "s"}${
            outbox.oldestAgeS === null ? "" : `, oldest ${formatAge(outbox.oldestAgeS * 1000)}`
          }`}
    </p>
  );
}

/** Placed vs paid vs in flight vs dead-lettered, what is stuck, and whether the queue can drain. Live over SSE. */
export function PipelineHealthPanel({ brokerDown = false }: { brokerDown?: boolean }) {
  // The dashboard's EventSource writes "health" events into this SWR key; this fetch is only the first value.
  const { data, error } = useSWR<PipelineHealth>("/api/pipeline", fetchJson, { revalidateOnFocus: false });
  const stats: Array<{ label: string; value: number | null; testId: string; hint: string }> = data
    ? [
        {
          label: "placed",
          value: data.placed,
          testId: "health-placed",
          hint: "orders placed through Warren (form or API)",
        },
        { label: "paid", value: data.paid, testId: "health-paid", hint: "payments recorded" },
        { label: "in flight", value: data.inFlight, testId: "health-in-flight", hint: "ready + unacked" },
        {
          label: "dead-lettered",
          value: data.deadLettered,
          testId: "health-dead-lettered",
          hint: "waiting in the DLQ",
        },
      ]
    : [];
  return (
    <section aria-labelledby="health-heading" data-testid="pipeline-health" className={`${cardClass} p-4`}>
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="health-heading" className="font-semibold">
          Pipeline health
        </h2>
        {data ? (
          <span className="text-xs text-slate-600 dark:text-slate-400">stuck = unpaid after {data.stuckAfterS} s</span>
        ) : null}
      </div>
      {!data ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          {error ? "Health data is unavailable right now." : "Loading…"}
        </p>
      ) : (
        <>
          <dl className="mt-3 grid grid-cols-2 gap-3 tabular sm:grid-cols-4">
            {stats.map((s) => (
              <div key={s.label} title={s.hint}>
                <dt className="text-xs text-slate-600 dark:text-slate-400">{s.label}</dt>
                <dd className="text-2xl font-semibold" data-testid={s.testId}>
                  {count(s.value)}
                </dd>
              </div>
            ))}
          </dl>
          <OutboxLine outbox={data.outbox} />
          <p className="mt-1 text-sm" data-testid="health-drain">
            <span className="text-slate-600 dark:text-slate-400">Drain time: </span>
            {drainText(data.drain, brokerDown)}
          </p>
          <div role="status" aria-live="polite">
            {data.warnings.map((w) => (
              <p
                key={`${w.queue}:${w.message}`}
                data-testid="health-warning"
                className="mt-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200"
              >
                {w.message}
              </p>
            ))}
          </div>
          <div className="mt-3" data-testid="health-stuck">
            {data.stuckCount === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Nothing stuck: every order confirmed over {data.stuckAfterS} s ago is paid or dead-lettered.
              </p>
            ) : (
              <>
                <p className="text-sm font-medium text-red-700 dark:text-red-300">
                  {count(data.stuckCount)} order{data.stuckCount === 1 ? "" : "s"} stuck longer than {data.stuckAfterS}{" "}
                  s
                </p>
                <ul className="mt-1 max-h-40 overflow-auto text-sm">
                  {data.stuck.map((s) => (
                    <li key={s.orderId} className="flex justify-between gap-2 py-0.5">
                      <a
                        href={`/trace?order=${encodeURIComponent(s.orderId)}`}
                        className="truncate font-mono text-xs underline decoration-slate-400 hover:decoration-current"
                      >
                        {shortOrderId(s.orderId)} · {s.item}
                      </a>
                      <span className="shrink-0 tabular text-slate-600 dark:text-slate-400">{s.ageS} s</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </>
      )}
    </section>
  );
}
