import dagre from "@dagrejs/dagre";
import type { Topology, TopologyNode } from "@/lib/broker-admin/topology";

const NODE_H = 44;
const CHAR_W = 7;
const subtitle = (node: TopologyNode) =>
  node.kind === "queue" ? `queue${node.detail ? ` · ${node.detail}` : ""}` : `exchange · ${node.detail ?? "?"}`;
const clip = (text: string, max = 34) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The graph around a queue, laid out by dagre on the server: the page ships
 * an SVG and no layout code, so no page's JavaScript grows for it.
 */
export function TopologyGraph({ topology }: { topology: Topology }) {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 50, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of topology.nodes) {
    const width = Math.max(110, Math.min(34, node.label.length) * CHAR_W + 28, subtitle(node).length * 6 + 20);
    graph.setNode(node.id, { width, height: NODE_H });
  }
  topology.edges.forEach((edge, i) => {
    graph.setEdge(
      edge.from,
      edge.to,
      { width: Math.min(30, edge.label.length) * 6, height: 14, labelpos: "c" },
      `e${i}`,
    );
  });
  dagre.layout(graph);
  const size = graph.graph();
  const width = Math.ceil(size.width ?? 0);
  const height = Math.ceil(size.height ?? 0);
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  // Edge labels get a halo of the page colour: the line runs through the label's spot.

  return (
    // Focusable: a keyboard user must be able to scroll a picture wider than the screen.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <figure className="overflow-x-auto" data-testid="topology" tabIndex={0} aria-labelledby="topology-title">
      <svg
        role="img"
        aria-labelledby="topology-title"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        className="max-w-none text-slate-700 dark:text-slate-200"
      >
        <title id="topology-title">
          {`Where messages into ${topology.queue} come from, and where its dead letters go`}
        </title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
          </marker>
        </defs>
        {topology.edges.map((edge, i) => {
          const laid = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` });
          const points: { x: number; y: number }[] = laid?.points ?? [];
          const d = points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
          const dead = edge.kind === "dead-letter";
          return (
            <g key={`${edge.from}>${edge.to}>${edge.label}`} data-testid="topology-edge" data-kind={edge.kind}>
              <path
                d={d}
                fill="none"
                stroke={dead ? "#dc2626" : "currentColor"}
                strokeDasharray={dead ? "5 4" : undefined}
                strokeWidth={1.4}
                markerEnd="url(#arrow)"
              />
              {laid?.x !== undefined && laid.y !== undefined ? (
                <text
                  x={laid.x}
                  y={laid.y + 4}
                  textAnchor="middle"
                  fontSize={11}
                  fill={dead ? "#dc2626" : "currentColor"}
                  stroke="white"
                  strokeWidth={4}
                  paintOrder="stroke"
                  className="dark:stroke-slate-900"
                >
                  {clip(edge.label, 30)}
                </text>
              ) : null}
            </g>
          );
        })}
        {topology.nodes.map((node) => {
          const laid = graph.node(node.id);
          const info = byId.get(node.id);
          if (!laid || !info) return null;
          const x = laid.x - laid.width / 2;
          const y = laid.y - laid.height / 2;
          const queue = node.kind === "queue";
          return (
            <g key={node.id} data-testid="topology-node" data-kind={node.kind} data-name={node.name}>
              <rect
                x={x}
                y={y}
                width={laid.width}
                height={laid.height}
                rx={queue ? 4 : 18}
                fill={node.focus ? "#d1fae5" : queue ? "#f1f5f9" : "#e0e7ff"}
                stroke={node.focus ? "#059669" : "#64748b"}
                strokeWidth={node.focus ? 2 : 1}
              />
              <text x={laid.x} y={laid.y - 2} textAnchor="middle" fontSize={12} fontWeight={600} fill="#0f172a">
                {clip(node.label)}
              </text>
              <text x={laid.x} y={laid.y + 13} textAnchor="middle" fontSize={10} fill="#475569">
                {subtitle(node)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        Solid arrows: bindings (label: binding key). Dashed red: the dead-letter path.
        {topology.truncated ? " The picture stops at 4 hops or 40 boxes." : ""}
      </figcaption>
    </figure>
  );
}
