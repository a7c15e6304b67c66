import Link from "next/link";
import type { ConnectionRow } from "@/lib/broker-admin/connections";
import { count } from "../format";
import { formatIso } from "../ui/time";
import { StateBadge } from "./state-badge";
import { cell, link, num, row, table, tableWrap, thead } from "./styles";

export function bytesRate(value: number | null): string {
  if (value === null) return "—";
  if (value < 1024) return `${Math.round(value)} B/s`;
  return `${(value / 1024).toFixed(1)} KiB/s`;
}

export function ConnectionTable({ connections }: { connections: ConnectionRow[] }) {
  return (
    <div className={tableWrap}>
      <table className={table} data-testid="connection-table">
        <caption className="sr-only">Connections, blocked ones first</caption>
        <thead className={thead}>
          <tr>
            <th scope="col" className="px-3 py-2">
              Client
            </th>
            <th scope="col" className="px-3 py-2">
              State
            </th>
            <th scope="col" className="px-3 py-2">
              User
            </th>
            <th scope="col" className="px-3 py-2">
              Vhost
            </th>
            <th scope="col" className="px-3 py-2">
              Peer
            </th>
            <th scope="col" className="px-3 py-2">
              Protocol
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Channels
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Send
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Receive
            </th>
            <th scope="col" className="px-3 py-2">
              Connected since (UTC)
            </th>
          </tr>
        </thead>
        <tbody>
          {connections.length === 0 ? (
            <tr>
              <td colSpan={10} className="px-3 py-6 text-center text-slate-600 dark:text-slate-400">
                No connections.
              </td>
            </tr>
          ) : (
            connections.map((c, i) => (
              <tr key={c.name || i} className={row} data-testid="connection-row" data-client={c.clientName ?? ""}>
                <td className={`${cell} max-w-[18rem] truncate`}>
                  {c.name ? (
                    <Link className={link} href={`/connections/${encodeURIComponent(c.name)}`} title={c.name}>
                      {c.clientName ?? c.name}
                    </Link>
                  ) : (
                    (c.clientName ?? "(unnamed client)")
                  )}
                </td>
                <td className={cell}>
                  <StateBadge state={c.state} />
                </td>
                <td className={cell}>{c.user ?? "—"}</td>
                <td className={`${cell} font-mono`}>{c.vhost ?? "—"}</td>
                <td className={`${cell} font-mono`}>{c.peer ?? "—"}</td>
                <td className={cell}>{c.protocol ?? "—"}</td>
                <td className={num}>{count(c.channels)}</td>
                <td className={num}>{bytesRate(c.sendRate)}</td>
                <td className={num}>{bytesRate(c.recvRate)}</td>
                <td className={cell}>{c.connectedAt === null ? "—" : formatIso(c.connectedAt)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
