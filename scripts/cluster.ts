/**
 * `npm run cluster`: a 3-node RabbitMQ cluster on this machine, from the local install, for trying
 * Warren the way it runs at scale. Each node has its own name, ports and data directory; all share
 * one Erlang cookie. A vhost whose default queue type is quorum is created, so Warren's arg-less
 * `order_queue` declare (and the tutorial's) makes a quorum queue there. The script prints the
 * AMQP_URL and RABBITMQ_MANAGEMENT_URL to use, stays in the foreground, and stops every node on
 * Ctrl-C, SIGTERM or `npm run cluster -- stop` from another terminal.
 *
 *   npm run cluster                      # nodes on 5701-5703, management on 15701-15703
 *   npm run cluster -- --base-port 5801  # another set of ports
 *   npm run cluster -- stop              # stops the running cluster (add --base-port if not 5701)
 *   npm run cluster -- stop-node 5702    # stops one node's broker (stop_app), to watch Warren move to another
 *   npm run cluster -- start-node 5702   # and brings it back
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster, CLUSTER_VHOST as VHOST } from "./chaos/local-cluster";
import { ctlNode, privateBrokerSkipReason } from "./chaos/private-broker";

interface ClusterState {
  pid: number;
  /** Each node's name, AMQP port and folder (its home holds the cluster's Erlang cookie). */
  nodes: Array<{ name: string; port: number; dir: string }>;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1024 || value > 60000) {
    console.error(`${name} must be a port number between 1024 and 60000`);
    process.exit(2);
  }
  return value;
}

function readState(): ClusterState | null {
  if (!existsSync(STATE_FILE)) return null;
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ClusterState;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One state file per base port, so clusters on different ports (two people, two helpers) do not clash. */
const base = option("--base-port", Number(process.env.WARREN_CLUSTER_BASE_PORT ?? 5701));
const STATE_FILE = join(tmpdir(), `warren-cluster-${base}.json`);

async function stopRunning(): Promise<void> {
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.log("no Warren cluster is running (nothing to stop)");
    rmSync(STATE_FILE, { force: true });
    return;
  }
  process.kill(state.pid, "SIGTERM");
  for (let i = 0; i < 120 && alive(state.pid); i++) await new Promise((r) => setTimeout(r, 500));
  console.log(alive(state.pid) ? `cluster process ${state.pid} is still stopping` : "cluster stopped");
}

/** `stop-node PORT` / `start-node PORT`: one node's broker app, stopped or started, the Erlang node kept. */
async function nodeCommand(command: "stop-node" | "start-node"): Promise<void> {
  const port = Number(process.argv[process.argv.indexOf(command) + 1]);
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.error(`no Warren cluster is running on ${base}-${base + 2}; start one with: npm run cluster`);
    process.exit(1);
  }
  if (!state.nodes.every((n) => typeof n === "object" && n !== null && typeof n.dir === "string")) {
    console.error(
      `this cluster was started by an older \`npm run cluster\`: stop it and start it again to use ${command}`,
    );
    process.exit(1);
  }
  const node = state.nodes.find((n) => n.port === port);
  if (!node) {
    console.error(`${command} takes one of the cluster's AMQP ports: ${state.nodes.map((n) => n.port).join(", ")}`);
    process.exit(2);
  }
  try {
    if (command === "stop-node") {
      await ctlNode(node.name, node.dir, ["stop_app"]);
      console.log(`${node.name} stopped (its broker app; the Erlang node stays up): clients move to the other nodes`);
      console.log(
        `bring it back with: npm run cluster -- start-node ${port}${base === 5701 ? "" : ` --base-port ${base}`}`,
      );
    } else {
      await ctlNode(node.name, node.dir, ["start_app"]);
      await ctlNode(node.name, node.dir, ["await_startup", "--timeout", "60"]);
      console.log(`${node.name} running again; it rejoined the cluster`);
    }
  } catch (error) {
    console.error(`${command} ${port} failed: ${(error as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}

async function main() {
  if (process.argv.includes("stop-node")) return nodeCommand("stop-node");
  if (process.argv.includes("start-node")) return nodeCommand("start-node");
  if (process.argv.includes("stop")) return stopRunning();
  const skip = privateBrokerSkipReason();
  if (skip) {
    console.error(`cannot start a local cluster: ${skip}`);
    process.exit(1);
  }
  const running = readState();
  if (running && alive(running.pid)) {
    console.error(
      `a Warren cluster is already running (process ${running.pid}); stop it with: npm run cluster -- stop`,
    );
    process.exit(1);
  }
  const cluster = new LocalCluster({ base, management: true });
  const nodes = cluster.nodes;
  let stopping: Promise<void> | null = null;
  const stopAll = () => {
    stopping ??= (async () => {
      console.log("\nstopping the cluster…");
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(STATE_FILE, { force: true });
      console.log("cluster stopped, data removed");
    })();
    return stopping;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void stopAll().then(() => process.exit(0)));
  }
  const state: ClusterState = {
    pid: process.pid,
    nodes: nodes.map((n) => ({ name: n.nodeName, port: n.port, dir: n.dir })),
  };
  // Only for this user: the folders it names hold the cluster's Erlang cookie.
  writeFileSync(STATE_FILE, JSON.stringify(state), { mode: 0o600 });
  try {
    const started = Date.now();
    console.log(`starting 3 RabbitMQ nodes on ports ${base}-${base + 2}…`);
    await cluster.start();
    const running = await cluster.runningNodes();
    const amqp = cluster.amqpUrl;
    const management = cluster.managementUrl;
    console.log(`cluster of ${running.join(", ")} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`vhost "${VHOST}": default queue type quorum\n`);
    console.log("Run Warren against it:\n");
    console.log(`  export AMQP_URL='${amqp}'`);
    console.log(`  export RABBITMQ_MANAGEMENT_URL='${management}'`);
    console.log("  npm start            # and in other terminals: WORKER_METRICS_PORT=0 npm run worker");
    console.log('  (several web processes and workers: the README\'s "One machine, step by step")\n');
    const suffix = base === 5701 ? "" : ` --base-port ${base}`;
    console.log(
      `To watch Warren move off a node: npm run cluster -- stop-node ${base}${suffix} (start-node brings it back).`,
    );
    console.log(`Ctrl-C (or \`npm run cluster -- stop${suffix}\`) stops the nodes and removes their data.`);
  } catch (error) {
    console.error(`the cluster did not come up: ${(error as Error).message}`);
    await stopAll();
    process.exit(1);
  }
  // Stay up until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

await main();
