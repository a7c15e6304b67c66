import Link from "next/link";
import { type BindingRow, exchangeLabel } from "@/lib/broker-admin/exchanges";
import { exchangeHref } from "./exchange-table";
import { cell, link, row, table, tableWrap, thead } from "./styles";

function End({ name, kind, vhost }: { name: string; kind: "queue" | "exchange"; vhost: string }) {
  const href = kind === "exchange" ? exchangeHref(name, vhost) : `/queues/${encodeURIComponent(name)}`;
  return (
    <Link className={link} href={href}>
      {kind === "exchange" ? exchangeLabel(name) : name}
    </Link>
  );
}

export function BindingTable({
  bindings,
  vhost,
  caption,
  testId,
}: {
  bindings: BindingRow[];
  vhost: string;
  caption: string;
  testId: string;
}) {
  return (
    <div className={tableWrap}>
      <table className={table} data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className={thead}>
          <tr>
            <th scope="col" className="px-3 py-2">
              From
            </th>
            <th scope="col" className="px-3 py-2">
              To
            </th>
            <th scope="col" className="px-3 py-2">
              Binding key
            </th>
            <th scope="col" className="px-3 py-2">
              Arguments
            </th>
          </tr>
        </thead>
        <tbody>
          {bindings.length === 0 ? (
            <tr>
              <td colSpan={4} className="px-3 py-4 text-center text-slate-600 dark:text-slate-400">
                None.
              </td>
            </tr>
          ) : (
            bindings.map((b) => (
              <tr
                key={`${b.source}>${b.destinationType}:${b.destination}>${b.routingKey}>${JSON.stringify(b.arguments)}`}
                className={row}
                data-testid="binding-row"
              >
                <td className={`${cell} font-mono`}>
                  <End name={b.source} kind="exchange" vhost={vhost} />
                </td>
                <td className={`${cell} font-mono`}>
                  {b.destinationType} <End name={b.destination} kind={b.destinationType} vhost={vhost} />
                </td>
                <td className={`${cell} font-mono`} data-col="key">
                  {b.routingKey === "" ? "(empty)" : b.routingKey}
                </td>
                <td className={`${cell} font-mono text-xs`}>
                  {Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : "—"}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
