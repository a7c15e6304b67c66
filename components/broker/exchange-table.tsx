import Link from "next/link";
import { TableScroll } from "@/components/ui/card";
import type { ExchangeRow } from "@/lib/broker-admin/exchanges";
import { rate } from "../format";
import { card, cell, link, num, row, table, thead } from "./styles";

export const exchangeHref = (name: string, vhost: string) =>
  `/exchanges/${encodeURIComponent(name === "" ? "amq.default" : name)}${vhost === "/" ? "" : `?vhost=${encodeURIComponent(vhost)}`}`;

const flags = (e: ExchangeRow) =>
  [e.durable ? "durable" : "transient", e.internal ? "internal" : null, e.autoDelete ? "auto-delete" : null]
    .filter(Boolean)
    .join(", ");

export function ExchangeTable({ exchanges, vhost }: { exchanges: ExchangeRow[]; vhost: string }) {
  return (
    <TableScroll label="Exchanges" className={card}>
      <table className={table} data-testid="exchange-table">
        <caption className="sr-only">Exchanges of the vhost</caption>
        <thead className={thead}>
          <tr>
            <th scope="col" className="px-3 py-2">
              Name
            </th>
            <th scope="col" className="px-3 py-2">
              Type
            </th>
            <th scope="col" className="px-3 py-2">
              Features
            </th>
            <th scope="col" className="px-3 py-2">
              Arguments
            </th>
            <th scope="col" className="px-3 py-2 text-right" title="Messages published into the exchange per second">
              In
            </th>
            <th scope="col" className="px-3 py-2 text-right" title="Messages routed out of the exchange per second">
              Out
            </th>
          </tr>
        </thead>
        <tbody>
          {exchanges.map((e) => (
            <tr key={e.name} className={row} data-testid="exchange-row" data-name={e.name}>
              <td className={`${cell} max-w-[20rem] truncate font-mono`}>
                <Link className={link} href={exchangeHref(e.name, vhost)}>
                  {e.label}
                </Link>
              </td>
              <td className={cell}>{e.type ?? "—"}</td>
              <td className={cell}>{flags(e)}</td>
              <td className={`${cell} font-mono text-xs`}>
                {Object.keys(e.arguments).length ? JSON.stringify(e.arguments) : "—"}
              </td>
              <td className={num}>{rate(e.inRate)}</td>
              <td className={num}>{rate(e.outRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
