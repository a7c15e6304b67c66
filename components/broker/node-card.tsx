import { bytes, type NodeView } from "@/lib/broker-admin/overview";
import { count } from "../format";
import { card } from "./styles";

function uptime(ms: number | null): string {
  if (ms === null) return "—";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

/** Used against a limit, as a bar; `alarm` colours it red. */
function Meter({
  label,
  used,
  limit,
  text,
  alarm,
}: {
  label: string;
  used: number | null;
  limit: number | null;
  text: string;
  alarm?: boolean;
}) {
  const share = used !== null && limit ? Math.min(1, used / limit) : null;
  return (
    <div>
      <dt className="flex justify-between gap-2 text-xs text-slate-600 dark:text-slate-400">
        <span>{label}</span>
        <span className={`tabular ${alarm ? "font-semibold text-red-700 dark:text-red-300" : ""}`}>{text}</span>
      </dt>
      <dd>
        <meter className="sr-only" min={0} max={limit ?? 1} value={used ?? 0} aria-label={`${label}: ${text}`} />
        <div aria-hidden className="mt-1 h-1.5 rounded bg-slate-200 dark:bg-slate-800">
          {share !== null ? (
            <div
              className={`h-1.5 rounded ${alarm ? "bg-red-600" : share > 0.8 ? "bg-amber-500" : "bg-emerald-600"}`}
              style={{ width: `${Math.max(2, share * 100)}%` }}
            />
          ) : null}
        </div>
      </dd>
    </div>
  );
}

export function NodeCard({ node }: { node: NodeView }) {
  return (
    <article className={`${card} p-4`} data-testid="node-card" data-node={node.name}>
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="break-all font-mono text-sm font-semibold">{node.name}</h3>
        <span
          data-testid="node-state"
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${
            node.running
              ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"
              : "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100"
          }`}
        >
          {node.running ? "running" : "not running"}
        </span>
      </header>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        {node.type ?? "—"} node · RabbitMQ {node.version ?? "—"} · up {uptime(node.uptimeMs)}
      </p>
      <dl className="mt-3 grid gap-2">
        <Meter
          label="Memory used / high watermark"
          used={node.memUsed}
          limit={node.memLimit}
          text={`${bytes(node.memUsed)} / ${bytes(node.memLimit)}`}
          alarm={node.memAlarm}
        />
        <Meter
          label="Disk free / limit"
          // The alarm fires when free space falls to the limit: show how close it is.
          used={node.diskFreeLimit}
          limit={node.diskFree}
          text={`${bytes(node.diskFree)} free / ${bytes(node.diskFreeLimit)} limit`}
          alarm={node.diskAlarm}
        />
        <Meter
          label="File descriptors"
          used={node.fdUsed}
          limit={node.fdTotal}
          text={`${count(node.fdUsed)} / ${count(node.fdTotal)}`}
        />
        <Meter
          label="Sockets"
          used={node.socketsUsed}
          limit={node.socketsTotal}
          text={`${count(node.socketsUsed)} / ${count(node.socketsTotal)}`}
        />
        <Meter
          label="Erlang processes"
          used={node.procUsed}
          limit={node.procTotal}
          text={`${count(node.procUsed)} / ${count(node.procTotal)}`}
        />
      </dl>
    </article>
  );
}
