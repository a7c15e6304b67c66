import { ALARM_EFFECT, type BrokerOverview } from "@/lib/broker-admin/overview";
import { count, rate } from "../format";
import { LimitedNotice } from "./limited-notice";
import { NodeCard } from "./node-card";
import { card } from "./styles";

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className={`${card} p-3`}>
      <dt className="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="text-lg font-semibold tabular" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export function OverviewView({ overview }: { overview: BrokerOverview }) {
  const { rates, totals } = overview;
  return (
    <div className="mt-4 flex flex-col gap-6">
      {overview.mode === "limited" ? (
        <LimitedNotice reason={overview.limitedReason} what="nodes, alarms, rates and totals" />
      ) : null}

      <section aria-labelledby="alarms-heading">
        <h2 id="alarms-heading" className="text-lg font-semibold">
          Alarms
        </h2>
        {overview.mode === "limited" ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">Unknown without the management API.</p>
        ) : overview.alarms.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="no-alarms">
            No memory or disk alarm: publishers are not blocked by the broker.
          </p>
        ) : (
          <div
            data-testid="alarm-list"
            className="mt-2 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          >
            <ul className="ml-5 list-disc">
              {overview.alarms.map((alarm) => (
                <li key={`${alarm.kind}@${alarm.node}`} data-testid="alarm" data-kind={alarm.kind}>
                  <strong>{alarm.kind} alarm</strong> on <span className="break-all font-mono">{alarm.node}</span>:{" "}
                  {alarm.detail}
                </li>
              ))}
            </ul>
            <p className="mt-2">{ALARM_EFFECT}</p>
            <p className="mt-1">
              See which connections are held on the{" "}
              <a className="underline" href="/connections">
                connections page
              </a>{" "}
              (state <code>blocked</code>).
            </p>
          </div>
        )}
      </section>

      <section aria-labelledby="rates-heading">
        <h2 id="rates-heading" className="text-lg font-semibold">
          Message rates{" "}
          <span className="text-xs font-normal text-slate-600 dark:text-slate-400">
            (cluster-wide, source: {overview.ratesSource === "management" ? "management API" : "none reported"})
          </span>
        </h2>
        <dl className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-5">
          <Figure label="Published" value={rate(rates.published)} testId="rate-published" />
          <Figure label="Delivered" value={rate(rates.delivered)} testId="rate-delivered" />
          <Figure label="Acked" value={rate(rates.acked)} testId="rate-acked" />
          <Figure label="Redelivered" value={rate(rates.redelivered)} testId="rate-redelivered" />
          <Figure
            label="Dead-lettered"
            value={rates.deadLettered === null ? "not reported" : rate(rates.deadLettered)}
            testId="rate-dead-lettered"
          />
        </dl>
      </section>

      <section aria-labelledby="totals-heading">
        <h2 id="totals-heading" className="text-lg font-semibold">
          Totals
        </h2>
        <dl className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
          <Figure label="Queues" value={count(totals.queues)} testId="total-queues" />
          <Figure label="Messages" value={count(totals.messages)} testId="total-messages" />
          <Figure label="Connections" value={count(totals.connections)} testId="total-connections" />
          <Figure label="Channels" value={count(totals.channels)} testId="total-channels" />
          <Figure label="Consumers" value={count(totals.consumers)} testId="total-consumers" />
          <Figure label="Exchanges" value={count(totals.exchanges)} testId="total-exchanges" />
        </dl>
      </section>

      <section aria-labelledby="nodes-heading">
        <h2 id="nodes-heading" className="text-lg font-semibold">
          Nodes{" "}
          {overview.mode === "management" ? (
            <span className="text-xs font-normal text-slate-600 dark:text-slate-400">
              ({overview.nodes.length} in cluster {overview.clusterName ?? "—"}, Erlang {overview.erlangVersion ?? "—"})
            </span>
          ) : null}
        </h2>
        <div className="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {overview.nodes.map((node) => (
            <NodeCard key={node.name} node={node} />
          ))}
        </div>
      </section>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Fetched in {overview.fetchedInMs} ms; refreshes every 5 s (the broker&apos;s statistics change no faster).
      </p>
    </div>
  );
}
