import type { Metadata } from "next";
import { AlertHistory, FiringAlerts } from "@/components/alerts/incident-list";
import { AutoRefresh } from "@/components/broker/auto-refresh";
import { Card } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { alertsOverview } from "@/lib/alerts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts — Warren" };

export default async function AlertsPage() {
  const overview = await alertsOverview();
  const leading = overview.leader && overview.leader.until > overview.at ? overview.leader : null;
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <AutoRefresh ms={5000} />
      <h1 className="text-2xl font-bold tracking-tight">Alerts</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Rules checked on the server by one process of the group
        {leading ? (
          <>
            {" "}
            (now <span className="break-all font-mono text-xs">{leading.holder}</span>)
          </>
        ) : (
          " (none is evaluating right now)"
        )}
        , whatever the number of open pages; each alert is sent to the webhooks once when it fires and once when it
        resolves.
      </p>

      <section aria-labelledby="firing-heading" className="mt-6">
        <h2 id="firing-heading" className="text-lg font-semibold">
          Firing now
        </h2>
        <div className="mt-2">
          <FiringAlerts firing={overview.firing} at={overview.at} />
        </div>
      </section>

      <section aria-labelledby="history-heading" className="mt-8">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        <Card className="mt-2">
          <AlertHistory history={overview.history} />
        </Card>
      </section>

      <section aria-labelledby="rules-heading" className="mt-8 grid gap-3 md:grid-cols-2">
        <Card>
          <h2 id="rules-heading" className="text-lg font-semibold">
            Rules
          </h2>
          <ul className="mt-2 space-y-1 text-sm" data-testid="alert-rules">
            {overview.rules.map((r) => (
              <li key={r.rule}>
                <span className="font-medium">{r.title}</span>:{" "}
                <span className="text-slate-600 dark:text-slate-400">{r.threshold}</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card>
          <h2 className="text-lg font-semibold">Webhooks and guard</h2>
          {overview.webhooks.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
              No webhook configured (set WARREN_ALERT_WEBHOOKS; a slack+https:// entry gets Slack&apos;s format).
            </p>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {overview.webhooks.map((w) => (
                <li key={w.label} className="break-all">
                  <span className="font-mono text-xs">{w.label}</span> ({w.format === "slack" ? "Slack" : "JSON"})
                </li>
              ))}
            </ul>
          )}
          <p className="mt-3 text-sm" data-testid="alert-guard" data-enabled={overview.guard.enabled}>
            {overview.guard.enabled
              ? `Guard on: the payment consumers are paused (as "system", audited) when more than ${overview.guard.dlqPerMin} messages are dead-lettered in a minute.`
              : "Guard off (WARREN_ALERT_GUARD=1 pauses the payment consumers when dead letters come too fast)."}
          </p>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Read at <Time at={overview.at} format="clock" />.
          </p>
        </Card>
      </section>
    </main>
  );
}
