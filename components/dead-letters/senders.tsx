import { Card, TableScroll } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import type { SendersReport } from "@/lib/deadletters/senders";

const dash = (value: string | null) => value ?? <span className="text-slate-500 dark:text-slate-400">not set</span>;

/**
 * Who sends bad messages: per reason group, first and last seen, the rate, and each producer's
 * app_id / user_id as the broker delivered them, so the fix goes to the right team.
 */
export function DeadLetterSenders({ report }: { report: SendersReport | null }) {
  return (
    <Card data-testid="dead-letter-senders" aria-labelledby="senders-heading">
      <h2 id="senders-heading" className="text-lg font-semibold">
        Who sends bad messages
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Noted by the payment consumer as it dead-letters each message: the producer&apos;s <code>app_id</code> (its own
        word) and <code>user_id</code> (checked by RabbitMQ against the publishing connection&apos;s user). A message
        does not carry its connection&apos;s name; the connections open now as that user are shown as candidates.
      </p>
      {report === null ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Could not read the dead-letter sources.</p>
      ) : report.groups.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">No message has been dead-lettered yet.</p>
      ) : (
        <TableScroll label="Who sends bad messages" className="mt-3">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Reason group / producer
                </th>
                <th scope="col" className="py-2 pr-3 text-right">
                  Count
                </th>
                <th scope="col" className="py-2 pr-3">
                  First seen
                </th>
                <th scope="col" className="py-2 pr-3">
                  Last seen
                </th>
                <th scope="col" className="py-2 pr-3 text-right">
                  Last min
                </th>
                <th scope="col" className="py-2 pr-3 text-right">
                  /min (1 h)
                </th>
              </tr>
            </thead>
            {report.groups.map((group) => (
              <tbody
                key={group.group}
                className="border-t border-slate-200 dark:border-slate-800"
                data-testid="sender-group"
                data-group={group.group}
              >
                <tr className="font-medium">
                  <th scope="rowgroup" className="break-words py-2 pr-3 text-left font-mono text-xs">
                    {group.group}
                  </th>
                  <td className="py-2 pr-3 text-right tabular-nums">{group.count}</td>
                  <td className="whitespace-nowrap py-2 pr-3">
                    <Time at={group.firstAt} />
                  </td>
                  <td className="whitespace-nowrap py-2 pr-3">
                    <Time at={group.lastAt} />
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums">{group.lastMinute}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{group.perMinuteLastHour}</td>
                </tr>
                {group.senders.map((s) => (
                  <tr
                    key={`${s.appId}\u0000${s.userId}`}
                    data-testid="sender"
                    data-app-id={s.appId ?? ""}
                    data-user-id={s.userId ?? ""}
                    className="text-slate-700 dark:text-slate-300"
                  >
                    <td className="py-1 pr-3 pl-4">
                      app_id {dash(s.appId)} · user_id {dash(s.userId)}
                      {s.liveConnections && s.liveConnections.length > 0 ? (
                        <span className="block break-all text-xs text-slate-600 dark:text-slate-400">
                          open now as {s.userId}: {s.liveConnections.slice(0, 5).join(", ")}
                          {s.liveConnections.length > 5 ? ` and ${s.liveConnections.length - 5} more` : ""}
                        </span>
                      ) : null}
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{s.count}</td>
                    <td className="whitespace-nowrap py-1 pr-3">
                      <Time at={s.firstAt} />
                    </td>
                    <td className="whitespace-nowrap py-1 pr-3">
                      <Time at={s.lastAt} />
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{s.lastMinute}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{Math.round((s.lastHour / 60) * 100) / 100}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
