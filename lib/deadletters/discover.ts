import { deadLetterQueueOf } from "../amqp/topology";
import type { ManagementClient } from "../queues/management";

/**
 * Finds the dead-letter queues worth a workbench: Warren's own
 * `<order queue>.dlq` always, plus (when the management API answers) every
 * queue some other queue dead-letters into, through `x-dead-letter-*`
 * arguments or a dead-letter policy.
 */
export interface DeadLetterQueue {
  name: string;
  /** The queues that dead-letter into it. */
  sources: string[];
  /** Whether Warren owns it (its own order queue's DLQ). */
  own: boolean;
}

export interface Discovery {
  queues: DeadLetterQueue[];
  /** False when the management API did not answer: only Warren's own DLQ is listed. */
  management: boolean;
}

interface QueueInfo {
  name: string;
  arguments?: Record<string, unknown>;
  effective_policy_definition?: Record<string, unknown> | [];
}

interface Binding {
  destination: string;
  destination_type: string;
  routing_key: string;
}

/** AMQP topic matching: "*" is one word, "#" is zero or more words. */
export function topicMatches(pattern: string, key: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === "#") return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === "*" || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split("."), key.split("."));
}

export async function discoverDeadLetterQueues(options: {
  orderQueue: string;
  /** The process's client: its credentials (RABBITMQ_MANAGEMENT_USER/PASSWORD), vhost and call counter. */
  management: Pick<ManagementClient, "getJson" | "vhost">;
}): Promise<Discovery> {
  const own: DeadLetterQueue = {
    name: deadLetterQueueOf(options.orderQueue),
    sources: [options.orderQueue],
    own: true,
  };
  const get = <T>(path: string) => options.management.getJson<T>(path);
  const v = encodeURIComponent(options.management.vhost);
  const queues = await get<QueueInfo[]>(`/api/queues/${v}?columns=name,arguments,effective_policy_definition`);
  if (!queues) return { queues: [own], management: false };

  const byExchange = new Map<string, Array<{ source: string; key: string }>>();
  for (const queue of queues) {
    const args = queue.arguments ?? {};
    const policy = Array.isArray(queue.effective_policy_definition) ? {} : (queue.effective_policy_definition ?? {});
    const exchange = args["x-dead-letter-exchange"] ?? policy["dead-letter-exchange"];
    if (typeof exchange !== "string") continue;
    const rk = args["x-dead-letter-routing-key"] ?? policy["dead-letter-routing-key"];
    const list = byExchange.get(exchange) ?? [];
    list.push({ source: queue.name, key: typeof rk === "string" ? rk : queue.name });
    byExchange.set(exchange, list);
  }

  const found = new Map<string, Set<string>>([[own.name, new Set(own.sources)]]);
  const add = (dlq: string, source: string) => {
    const set = found.get(dlq) ?? new Set<string>();
    set.add(source);
    found.set(dlq, set);
  };
  const existing = new Set(queues.map((q) => q.name));
  await Promise.all(
    [...byExchange.entries()].map(async ([exchange, sources]) => {
      if (exchange === "") {
        for (const { source, key } of sources) if (existing.has(key)) add(key, source);
        return;
      }
      const e = encodeURIComponent(exchange);
      const [info, bindings] = await Promise.all([
        get<{ type: string }>(`/api/exchanges/${v}/${e}`),
        get<Binding[]>(`/api/exchanges/${v}/${e}/bindings/source`),
      ]);
      if (!info || !bindings) return;
      for (const binding of bindings) {
        if (binding.destination_type !== "queue") continue;
        for (const { source, key } of sources) {
          const routes =
            info.type === "fanout" || info.type === "headers"
              ? true
              : info.type === "topic"
                ? topicMatches(binding.routing_key, key)
                : binding.routing_key === key;
          if (routes && binding.destination !== source) add(binding.destination, source);
        }
      }
    }),
  );
  const list = [...found.entries()].map(([name, sources]) => ({
    name,
    sources: [...sources].sort(),
    own: name === own.name,
  }));
  list.sort((a, b) => Number(b.own) - Number(a.own) || a.name.localeCompare(b.name));
  return { queues: list, management: true };
}
