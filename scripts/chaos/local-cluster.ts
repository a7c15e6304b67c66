import { randomBytes } from "node:crypto";
import { PrivateBroker } from "./private-broker";

export const CLUSTER_VHOST = "warren";

export interface LocalClusterOptions {
  /** Nodes listen on base, base+1, base+2 (distribution ports +20000). */
  base: number;
  /** Node name prefix: `<prefix>-<port>@localhost`. */
  prefix?: string;
  /** Serve the management API on base+10000+i. Costs ~25 MB and some CPU per node. */
  management?: boolean;
}

/**
 * Three private RabbitMQ nodes joined into one cluster, with a vhost whose default queue type is
 * quorum (so an arg-less `assertQueue("order_queue")` makes a quorum queue). What `npm run cluster`,
 * `npm run chaos -- cluster` and `npm run bench -- scale` start; `stop()` belongs in a finally.
 */
export class LocalCluster {
  readonly nodes: [PrivateBroker, PrivateBroker, PrivateBroker];

  constructor(options: LocalClusterOptions) {
    const { base, prefix = "warren-cluster" } = options;
    const cookie = randomBytes(20).toString("hex").toUpperCase();
    const node = (i: number) =>
      new PrivateBroker({
        port: base + i,
        nodeName: `${prefix}-${base + i}@localhost`,
        managementPort: options.management ? base + 10000 + i : undefined,
        cookie,
      });
    this.nodes = [node(0), node(1), node(2)];
  }

  /** amqp URL of one node, in the quorum-default vhost. */
  urlOf(node: PrivateBroker): string {
    return `amqp://guest:guest@127.0.0.1:${node.port}/${CLUSTER_VHOST}`;
  }

  /** The comma-separated node list Warren's AMQP_URL takes. */
  get amqpUrl(): string {
    return this.nodes.map((n) => this.urlOf(n)).join(",");
  }

  get managementUrl(): string {
    return this.nodes.map((n) => n.managementUrl ?? "").join(",");
  }

  nodeByName(name: string): PrivateBroker | undefined {
    return this.nodes.find((n) => n.nodeName === name);
  }

  async start(): Promise<this> {
    await Promise.all(this.nodes.map((node) => node.start()));
    const [seed, ...rest] = this.nodes;
    for (const node of rest) await node.joinCluster(seed);
    await seed.ctl("add_vhost", CLUSTER_VHOST, "--default-queue-type", "quorum");
    await seed.ctl("set_permissions", "-p", CLUSTER_VHOST, "guest", ".*", ".*", ".*");
    const running = await this.runningNodes();
    if (running.length !== 3) throw new Error(`only ${running.length} of 3 nodes joined: ${running.join(", ")}`);
    return this;
  }

  /** Nodes the cluster reports running, asked of any node that answers. */
  async runningNodes(): Promise<string[]> {
    for (const node of this.nodes) {
      try {
        const status = await node.ctl("cluster_status", "--formatter", "json");
        return (JSON.parse(status) as { running_nodes?: string[] }).running_nodes ?? [];
      } catch {
        // that node is down: ask the next
      }
    }
    return [];
  }

  /** The node holding a quorum queue's leader, asked of any node that answers. */
  async leaderOf(queue: string): Promise<PrivateBroker> {
    for (const node of this.nodes) {
      try {
        const out = await node.ctl("list_queues", "-p", CLUSTER_VHOST, "name", "type", "leader", "--formatter", "json");
        const row = (JSON.parse(out) as Array<{ name: string; type: string; leader: string }>).find(
          (q) => q.name === queue,
        );
        if (!row) throw new Error(`queue ${queue} not found`);
        if (row.type !== "quorum") throw new Error(`queue ${queue} is ${row.type}, not quorum`);
        const leader = this.nodeByName(row.leader);
        if (leader) return leader;
      } catch (error) {
        if (/not found|not quorum/.test((error as Error).message)) throw error;
      }
    }
    throw new Error(`no node could name the leader of ${queue}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
