import { topicMatches } from "../deadletters/discover";
import { deadLetterTargetOf } from "../queues/list";
import { isManagementUnavailable, type ManagementClient, type ManagementQueueDetail } from "../queues/management";
import { exchangeLabel, type ManagementBinding, type ManagementExchange } from "./exchanges";

export interface TopologyNode {
  id: string;
  kind: "queue" | "exchange";
  name: string;
  label: string;
  /** Exchange type, or "dead-letter queue" style roles for queues. */
  detail: string | null;
  /** The queue the picture is about. */
  focus: boolean;
}

export interface TopologyEdge {
  from: string;
  to: string;
  kind: "binding" | "dead-letter";
  label: string;
}

export interface Topology {
  mode: "management" | "limited";
  limitedReason: string | null;
  queue: string;
  exists: boolean;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  /** True when the walk stopped at its limits (depth or node count): the picture is partial. */
  truncated: boolean;
}

/** How far up the exchange-to-exchange chain to walk, and how big a picture stays readable. */
const MAX_DEPTH = 4;
const MAX_NODES = 40;

const qid = (name: string) => `q:${name}`;
const xid = (name: string) => `x:${name}`;

/** Whether a binding of a `type` exchange with this key would route a message with `key`. */
export function routes(type: string | undefined, bindingKey: string, key: string): boolean {
  if (type === "fanout" || type === "headers") return true;
  if (type === "topic") return topicMatches(bindingKey, key);
  return bindingKey === key;
}

/**
 * The graph around one queue: the exchanges (and exchanges into those) whose
 * bindings route into it, and where its dead letters go (the dead-letter
 * exchange and the queues it routes them to).
 */
export async function queueTopology(management: ManagementClient, vhost: string, queue: string): Promise<Topology> {
  const v = encodeURIComponent(vhost);
  const x = (name: string) => encodeURIComponent(name === "" ? "amq.default" : name);
  const nodes = new Map<string, TopologyNode>();
  const edges = new Map<string, TopologyEdge>();
  let truncated = false;
  const exchangeTypes = new Map<string, string | undefined>();

  const addNode = (node: TopologyNode): boolean => {
    if (nodes.has(node.id)) return true;
    if (nodes.size >= MAX_NODES) {
      truncated = true;
      return false;
    }
    nodes.set(node.id, node);
    return true;
  };
  const addEdge = (edge: TopologyEdge) => edges.set(`${edge.from}>${edge.to}>${edge.kind}>${edge.label}`, edge);
  const exchangeType = async (name: string) => {
    if (name === "") return "direct";
    if (!exchangeTypes.has(name)) {
      const found = await management.read<ManagementExchange>(`/api/exchanges/${v}/${x(name)}?columns=name,type`);
      exchangeTypes.set(name, found?.type);
    }
    return exchangeTypes.get(name);
  };
  const addExchange = async (name: string) =>
    addNode({
      id: xid(name),
      kind: "exchange",
      name,
      label: exchangeLabel(name),
      detail: (await exchangeType(name)) ?? null,
      focus: false,
    });

  try {
    const detail = await management.read<ManagementQueueDetail>(
      `/api/queues/${v}/${encodeURIComponent(queue)}?columns=name,type,arguments,effective_policy_definition`,
    );
    if (!detail) {
      return { mode: "management", limitedReason: null, queue, exists: false, nodes: [], edges: [], truncated };
    }
    addNode({ id: qid(queue), kind: "queue", name: queue, label: queue, detail: detail.type ?? null, focus: true });

    // Into the queue: its bindings, then bindings into those exchanges, breadth first.
    const inbound =
      (await management.read<ManagementBinding[]>(`/api/queues/${v}/${encodeURIComponent(queue)}/bindings`)) ?? [];
    let frontier: string[] = [];
    for (const binding of inbound) {
      if (!(await addExchange(binding.source))) break;
      addEdge({ from: xid(binding.source), to: qid(queue), kind: "binding", label: binding.routing_key || "(any)" });
      if (binding.source !== "") frontier.push(binding.source);
    }
    const visited = new Set(frontier);
    for (let depth = 1; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const exchange of frontier) {
        const into =
          (await management.read<ManagementBinding[]>(`/api/exchanges/${v}/${x(exchange)}/bindings/destination`)) ?? [];
        for (const binding of into) {
          if (!(await addExchange(binding.source))) break;
          addEdge({
            from: xid(binding.source),
            to: xid(exchange),
            kind: "binding",
            label: binding.routing_key || "(any)",
          });
          if (!visited.has(binding.source)) {
            visited.add(binding.source);
            next.push(binding.source);
          }
        }
      }
      frontier = next;
    }
    if (frontier.length > 0) truncated = true;

    // Out of the queue: where its dead letters go.
    const target = deadLetterTargetOf(detail);
    if (target) {
      // Without a dead-letter routing key, a message keeps the routing key it was published with.
      const key = target.routingKey;
      if (await addExchange(target.exchange)) {
        addEdge({
          from: qid(queue),
          to: xid(target.exchange),
          kind: "dead-letter",
          label: `dead-letter${key ? ` (${key})` : ""} · ${target.source}`,
        });
        if (target.exchange === "") {
          if (
            key &&
            addNode({ id: qid(key), kind: "queue", name: key, label: key, detail: "dead-letter queue", focus: false })
          ) {
            addEdge({ from: xid(""), to: qid(key), kind: "dead-letter", label: key });
          }
        } else {
          const type = await exchangeType(target.exchange);
          const out =
            (await management.read<ManagementBinding[]>(`/api/exchanges/${v}/${x(target.exchange)}/bindings/source`)) ??
            [];
          for (const binding of out) {
            // With no fixed key the routed key is the message's own: show every binding.
            if (key !== null && !routes(type, binding.routing_key, key)) continue;
            const id = binding.destination_type === "exchange" ? xid(binding.destination) : qid(binding.destination);
            const added =
              binding.destination_type === "exchange"
                ? await addExchange(binding.destination)
                : addNode({
                    id,
                    kind: "queue",
                    name: binding.destination,
                    label: binding.destination,
                    detail: "dead-letter queue",
                    focus: false,
                  });
            if (!added) break;
            addEdge({ from: xid(target.exchange), to: id, kind: "dead-letter", label: binding.routing_key || "(any)" });
          }
        }
      }
    }
    return {
      mode: "management",
      limitedReason: null,
      queue,
      exists: true,
      nodes: [...nodes.values()],
      edges: [...edges.values()],
      truncated,
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    return {
      mode: "limited",
      limitedReason: error.message,
      queue,
      exists: false,
      nodes: [],
      edges: [],
      truncated: false,
    };
  }
}
