import { Card, TableScroll } from "@/components/ui/card";
import { formatAge, Time } from "@/components/ui/time";
import { RULES } from "@/lib/alerts/rules";
import type { AlertIncident } from "@/lib/store/store";

const title = (rule: string) => RULES[rule as keyof typeof RULES] ?? rule;

function Delivery({ incident }: { incident: AlertIncident }) {
  if (incident.delivered === 0 && incident.pending === 0) return <span>—</span>;
  return (
    <span>
      {incident.delivered} sent
      {incident.pending > 0 ? (
        <span className="ml-1 text-amber-700 dark:text-amber-300">· {incident.pending} retrying</span>
      ) : null}
    </span>
  );
}

/** The alerts firing now, one card each. */
export function FiringAlerts({ firing, at }: { firing: AlertIncident[]; at: number }) {
  if (firing.length === 0) {
    return (
      <Card data-testid="alerts-firing-empty">
        <p className="text-sm text-slate-600 dark:text-slate-400">Nothing is firing. Every rule below holds.</p>
      </Card>
    );
  }
  return (
    <ul className="grid gap-3 sm:grid-cols-2" aria-label="Firing alerts">
      {firing.map((incident) => (
        <li key={incident.id}>
          <Card
            data-testid="alert-firing"
            data-key={incident.key}
            className="border-l-4 border-l-red-500 dark:border-l-red-400"
          >
            <p className="text-xs font-semibold uppercase tracking-wide text-red-700 dark:text-red-300">
              Firing · {title(incident.rule)}
            </p>
            <p className="mt-1 break-words font-medium">{incident.summary}</p>
            <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
              Since <Time at={incident.firedAt} /> ({formatAge(at - incident.firedAt)}) · webhooks:{" "}
              <Delivery incident={incident} />
            </p>
          </Card>
        </li>
      ))}
    </ul>
  );
}

/** Every incident, newest first: when it fired, when and how it resolved, and its notifications. */
export function AlertHistory({ history }: { history: AlertIncident[] }) {
  if (history.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No alert has fired yet.</p>;
  }
  return (
    <TableScroll label="Alert history">
      <table className="w-full min-w-[40rem] text-left text-sm" data-testid="alert-history">
        <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-3">
              State
            </th>
            <th scope="col" className="py-2 pr-3">
              Alert
            </th>
            <th scope="col" className="py-2 pr-3">
              Fired
            </th>
            <th scope="col" className="py-2 pr-3">
              Resolved
            </th>
            <th scope="col" className="py-2 pr-3">
              Webhooks
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {history.map((incident) => (
            <tr
              key={incident.id}
              data-testid="alert-history-row"
              data-state={incident.resolvedAt ? "resolved" : "firing"}
            >
              <td className="py-2 pr-3">
                {incident.resolvedAt ? (
                  <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100">
                    resolved
                  </span>
                ) : (
                  <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900 dark:bg-red-900 dark:text-red-100">
                    firing
                  </span>
                )}
              </td>
              <td className="py-2 pr-3">
                <span className="font-medium">{title(incident.rule)}</span>
                <span className="block break-words text-slate-600 dark:text-slate-400">{incident.summary}</span>
              </td>
              <td className="whitespace-nowrap py-2 pr-3">
                <Time at={incident.firedAt} />
              </td>
              <td className="py-2 pr-3">
                <Time at={incident.resolvedAt} className="whitespace-nowrap" />
                {incident.resolution ? (
                  <span className="block text-slate-600 dark:text-slate-400">{incident.resolution}</span>
                ) : null}
              </td>
              <td className="whitespace-nowrap py-2 pr-3">
                <Delivery incident={incident} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
