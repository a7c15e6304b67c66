import type { ChannelRow } from "@/lib/broker-admin/connections";
import { count } from "../format";
import { cell, num, row, table, tableWrap, thead } from "./styles";

export function ChannelTable({ channels }: { channels: ChannelRow[] }) {
  return (
    <div className={tableWrap}>
      <table className={table} data-testid="channel-table">
        <caption className="sr-only">The connection&apos;s channels</caption>
        <thead className={thead}>
          <tr>
            <th scope="col" className="px-3 py-2 text-right">
              #
            </th>
            <th scope="col" className="px-3 py-2">
              State
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Prefetch
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Unacked
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Unconfirmed
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Consumers
            </th>
            <th scope="col" className="px-3 py-2">
              Mode
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.length === 0 ? (
            <tr>
              <td colSpan={7} className="px-3 py-6 text-center text-slate-600 dark:text-slate-400">
                No channels open.
              </td>
            </tr>
          ) : (
            channels.map((c) => (
              <tr key={c.name} className={row} data-testid="channel-row">
                <td className={num}>{count(c.number)}</td>
                <td className={cell}>{c.state ?? "—"}</td>
                <td className={num} data-col="prefetch">
                  {c.prefetch === 0 ? "unlimited" : count(c.prefetch)}
                  {c.globalPrefetch ? ` (global ${c.globalPrefetch})` : ""}
                </td>
                <td className={num}>{count(c.unacked)}</td>
                <td className={num}>{count(c.unconfirmed)}</td>
                <td className={num}>{count(c.consumers)}</td>
                <td className={cell} data-col="mode">
                  {c.confirm ? "confirm" : c.transactional ? "transactional" : "plain"}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
