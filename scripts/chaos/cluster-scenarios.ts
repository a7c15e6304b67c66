/**
 * `npm run chaos -- cluster`: Warren at scale under fire. Two `next start` web processes (no
 * consumer) and three `npm run worker` processes on a private PostgreSQL, against a private
 * 3-node RabbitMQ cluster whose vhost makes `order_queue` a quorum queue; HTTP clients post
 * orders through both web processes (a client whose web process refuses the connection tries
 * the other, as a proxy would). Each scenario breaks one thing, then counts what the clients
 * were told was accepted against the paid deliveries in PostgreSQL and the payment events on
 * the `payments.events` fanout (the UNIQUE order id keeps the payments table clean whatever
 * happens, so duplicates are counted on what left the consumers).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startPrivatePostgres } from "../../test/helpers/private-postgres";
import { reachable } from "../lib/net.mjs";
import { type Door, type DoorAnswer, OrderLoad } from "./load";
import { LocalCluster } from "./local-cluster";
import { PaymentEventCounter } from "./payment-events";
import type { PrivateBroker } from "./private-broker";
import { firstAmqpConnect, type ScenarioResult } from "./scenarios";
import { startWeb, startWorker, type WarrenEnv, type WarrenProcess } from "./warren";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A step that must end within `ms`: a hung step fails the scenario with its name instead of hanging the run. */
async function within<T>(label: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${label}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ClusterChaosOptions {
  /** The cluster's first AMQP port (CLUSTER_TEST_BASE_PORT). */
  base: number;
  /** The private PostgreSQL's port. */
  pgPort: number;
  /** The two web processes' ports. */
  webPorts: [number, number];
  workdir: string;
  log: (line: string) => void;
  /** Scenario names to run (all when empty). */
  only?: string[];
}

/** What a scenario's fault did: when the cluster (or database) was whole enough to serve again. */
interface Fault {
  /** ms since epoch: quorum back (or the process gone, or the database up again). */
  backAt: number;
  notes: string[];
  /** Runs after recovery was measured, under load (bring a killed node back...). */
  after?: () => Promise<void>;
}

interface Rig {
  cluster: LocalCluster;
  env: WarrenEnv;
  webs: WarrenProcess[];
  workers: WarrenProcess[];
  postgres: Awaited<ReturnType<typeof startPrivatePostgres>>;
  log: (line: string) => void;
}

type Scenario = { name: string; label: string; fault: (rig: Rig) => Promise<Fault> };

const SCENARIOS: Scenario[] = [
  {
    name: "leader",
    label: "kill -9 the quorum leader's node",
    async fault({ cluster, env }) {
      const leader = await cluster.leaderOf(env.queue);
      leader.kill();
      const backAt = Date.now();
      return {
        backAt,
        notes: [`killed ${leader.nodeName} (leader of ${env.queue})`],
        async after() {
          await leader.relaunch();
        },
      };
    },
  },
  {
    name: "follower",
    label: "stop_app a follower",
    async fault({ cluster, env }) {
      const leader = await cluster.leaderOf(env.queue);
      const follower = cluster.nodes.find((n) => n !== leader) as PrivateBroker;
      await follower.stopApp();
      return {
        backAt: Date.now(),
        notes: [`stopped ${follower.nodeName} (a follower)`],
        async after() {
          await sleep(2000);
          await follower.startApp();
        },
      };
    },
  },
  {
    name: "minority",
    label: "stop 2 of 3 nodes (no quorum), then start them",
    async fault({ cluster, env, log }) {
      const leader = await cluster.leaderOf(env.queue);
      const follower = cluster.nodes.find((n) => n !== leader) as PrivateBroker;
      await leader.stopApp();
      await follower.stopApp();
      log(`  ${leader.nodeName} and ${follower.nodeName} stopped: no quorum for 5 s`);
      await sleep(5000);
      // Quorum is back when the second of three runs again (start_app done).
      await follower.startApp();
      await firstAmqpConnect(cluster.urlOf(follower), 30_000);
      const backAt = Date.now();
      return {
        backAt,
        notes: [`stopped ${leader.nodeName} and ${follower.nodeName}; quorum back when ${follower.nodeName} started`],
        async after() {
          await leader.startApp();
        },
      };
    },
  },
  {
    name: "processes",
    label: "kill -9 a web process and a worker",
    async fault({ webs, workers }) {
      const web = webs[0] as WarrenProcess;
      const worker = workers[0] as WarrenProcess;
      web.signal("SIGKILL");
      worker.signal("SIGKILL");
      await Promise.all([web.exited, worker.exited]);
      return {
        backAt: Date.now(),
        notes: [`killed ${web.name} (pid ${web.pid}) and ${worker.name} (pid ${worker.pid})`],
      };
    },
  },
  {
    name: "pg-fast",
    label: "PostgreSQL restart (pg_ctl -m fast)",
    async fault({ postgres }) {
      const issued = Date.now();
      await postgres.restartAsync("fast");
      return { backAt: Date.now(), notes: [`pg_ctl restart -m fast took ${Date.now() - issued} ms`] };
    },
  },
  {
    name: "pg-immediate",
    label: "PostgreSQL crash restart (pg_ctl -m immediate)",
    async fault({ postgres }) {
      const issued = Date.now();
      await postgres.restartAsync("immediate");
      return { backAt: Date.now(), notes: [`pg_ctl restart -m immediate took ${Date.now() - issued} ms`] };
    },
  },
];

export const CLUSTER_SCENARIOS = SCENARIOS.map((s) => s.name);

/**
 * POST /api/orders through two web processes, round robin; a refused connection (that web process
 * is gone) goes to the other one, as a proxy in front of them would. A request that reached a
 * process is never retried: it may have been accepted.
 */
function twoWebDoor(ports: number[]): Door {
  let n = 0;
  const ITEMS = ["book", "coffee", "tea", "pen", "notebook", "laptop"];
  const post = async (port: number, item: string, quantity: number): Promise<DoorAnswer | "refused"> => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item, quantity }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { orderId?: string; status?: string };
      if (res.status === 202 && typeof body.orderId === "string")
        return { accepted: true, orderId: body.orderId, status: body.status ?? "placed" };
      return { accepted: false, status: `http ${res.status}` };
    } catch (error) {
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      if (code === "ECONNREFUSED") return "refused";
      return { accepted: false, status: `network: ${code ?? (error as Error).name}` };
    }
  };
  return async () => {
    const i = n++;
    const item = ITEMS[i % ITEMS.length] ?? "book";
    for (let k = 0; k < ports.length; k++) {
      const answer = await post(ports[(i + k) % ports.length] as number, item, 1 + (i % 3));
      if (answer !== "refused") return answer;
    }
    return { accepted: false, status: "no web process listening" };
  };
}

interface PgAccounting {
  paid: number;
  lost: number;
  duplicated: number;
  absorbed: number;
  lostIds: string[];
}

async function accountPg(pool: pg.Pool, accepted: Set<string>): Promise<PgAccounting> {
  const { rows } = await pool.query<{ order_id: string; n: string }>(
    "SELECT order_id, COUNT(*) AS n FROM deliveries WHERE outcome = 'paid' GROUP BY order_id",
  );
  const perOrder = new Map(rows.map((r) => [r.order_id, Number(r.n)]));
  const absorbed = Number((await pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM duplicates")).rows[0]?.n ?? 0);
  let paid = 0;
  let duplicated = 0;
  const lostIds: string[] = [];
  for (const id of accepted) {
    const n = perOrder.get(id) ?? 0;
    if (n === 0) lostIds.push(id);
    else paid++;
    if (n > 1) duplicated += n - 1;
  }
  return { paid, lost: lostIds.length, duplicated, absorbed, lostIds };
}

/** Polls until every id is paid; ms from `since`, or null after `timeoutMs`. A database that is down counts as not yet. */
async function timeUntilPaid(pool: pg.Pool, ids: Set<string>, since: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = await accountPg(pool, ids).then(
      (a) => a.lost === 0,
      () => false,
    );
    if (done) return Date.now() - since;
    await sleep(50);
  }
  return null;
}

async function runScenario(
  scenario: Scenario,
  base: Omit<Rig, "env" | "webs" | "workers">,
  opts: ClusterChaosOptions,
): Promise<ScenarioResult> {
  const { cluster, postgres, log } = base;
  const id = `${scenario.name}-${Date.now().toString(36)}`;
  const database = `chaos_${id.replace(/[^a-z0-9]/g, "_")}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  // A server someone left on a web port would answer our health checks and take our orders.
  for (const port of opts.webPorts) {
    if (await reachable("127.0.0.1", port, 500))
      throw new Error(`port ${port} is taken: not starting a web process there`);
  }
  const dbUrl = postgres.url.replace(/\/postgres$/, `/${database}`);
  const env: WarrenEnv = {
    amqpUrl: cluster.amqpUrl,
    dbPath: join(opts.workdir, `cluster-${id}.db`),
    queue: `chaos.cluster.${id}`,
    extra: { DATABASE_URL: dbUrl, WORKER_METRICS_PORT: "0" },
  };
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  pool.on("error", () => {});
  const events = new PaymentEventCounter(env.amqpUrl, env.queue);
  const webs: WarrenProcess[] = [];
  const workers: WarrenProcess[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  let load: OrderLoad | null = null;
  try {
    await within("the payment event counter", 30_000, events.start());
    log("  starting 2 web processes and 3 workers …");
    // The first web process creates the schema; the rest start together.
    webs.push(await startWeb("web-1", env, opts.webPorts[0], false));
    // allSettled: a process that did start is stopped in the finally even when another did not.
    const started = await Promise.allSettled([
      startWeb("web-2", env, opts.webPorts[1], false),
      startWorker("worker-1", env, 100),
      startWorker("worker-2", env, 100),
      startWorker("worker-3", env, 100),
    ]);
    started.forEach((s, i) => {
      if (s.status === "fulfilled") (i === 0 ? webs : workers).push(s.value);
    });
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    // Also proves the queue is a quorum queue.
    const leader = await within("asking for the leader", 90_000, cluster.leaderOf(env.queue));
    notes.push(`${env.queue} is a quorum queue led by ${leader.nodeName}`);
    load = new OrderLoad(twoWebDoor(opts.webPorts), 4, 10).start();
    await sleep(2000);
    log(`  ${scenario.label}: fault (${load.accepted.size} accepted so far)`);
    const fault = await within("the fault", 120_000, scenario.fault({ ...base, env, webs, workers }));
    notes.push(...fault.notes);
    const acceptedBefore = new Set(load.accepted);
    const recoverMs = await timeUntilPaid(pool, acceptedBefore, fault.backAt);
    log(`  every order accepted until the fault ended was paid ${recoverMs ?? "never (30 s)"} ms after it ended`);
    if (fault.after) await within("bringing the cluster back", 120_000, fault.after());
    await sleep(2000);
    await load.stop();
    // Settle: every accepted order paid (or 60 s), then the fanout's last events.
    const until = Date.now() + 60_000;
    let result = await accountPg(pool, load.accepted);
    while (result.lost > 0 && Date.now() < until) {
      await sleep(250);
      result = await accountPg(pool, load.accepted).catch(() => result);
    }
    const eventsUntil = Date.now() + 5000;
    while (events.unseen(load.accepted) > 0 && Date.now() < eventsUntil) await sleep(50);
    const eventDuplicates = events.duplicated(load.accepted);
    notes.push(
      `payment events: ${events.events} on payments.events, ${eventDuplicates} beyond one per order, ${events.unseen(load.accepted)} paid order(s) never seen by the counter`,
    );
    notes.push(`answers: ${[...load.statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}`);
    for (const p of [...webs, ...workers]) {
      const errors = p.output.filter((line) => /error|could not|failed/i.test(line));
      if (errors.length > 0)
        notes.push(`${p.name}: ${errors.length} error line(s), first: ${errors[0]?.slice(0, 300)}`);
    }
    if (result.lost > 0) problems.push(`lost orders, e.g. ${result.lostIds.slice(0, 3).join(", ")}`);
    const duplicated = Math.max(result.duplicated, eventDuplicates);
    if (duplicated > 0)
      problems.push(
        `${duplicated} duplicate payment(s) (${result.duplicated} paid deliveries, ${eventDuplicates} on the fanout)`,
      );
    if (recoverMs === null) problems.push("did not recover within 30 s");
    return {
      scenario: scenario.label,
      sent: load.sent,
      accepted: load.accepted.size,
      paid: result.paid,
      lost: result.lost,
      duplicated,
      absorbed: result.absorbed,
      recoverMs,
      notes,
      problems,
    };
  } catch (error) {
    for (const p of [...webs, ...workers]) notes.push(`${p.name} said: ${p.output.slice(-5).join(" | ")}`);
    throw error;
  } finally {
    await load?.stop();
    await events.stop();
    await Promise.all([...webs, ...workers].map((p) => p.stop(5000)));
    await pool.end().catch(() => {});
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${env.dbPath}${suffix}`, { force: true });
  }
}

/** Starts the cluster and the database, runs the scenarios in order, always stops both. */
export async function clusterChaos(opts: ClusterChaosOptions): Promise<ScenarioResult[]> {
  const { log } = opts;
  mkdirSync(opts.workdir, { recursive: true });
  const cluster = new LocalCluster({ base: opts.base, prefix: "warren-chaos-cluster" });
  let postgres: Awaited<ReturnType<typeof startPrivatePostgres>> | null = null;
  const results: ScenarioResult[] = [];
  // Ctrl-C mid-run: the nodes and the database go too (they are ours, in temp dirs).
  const onSignal = () => {
    void cluster
      .stop()
      .then(() => postgres?.stop())
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const t0 = Date.now();
    log(`starting a private PostgreSQL on ${opts.pgPort} and 3 RabbitMQ nodes on ${opts.base}-${opts.base + 2} …`);
    postgres = await startPrivatePostgres({ port: opts.pgPort });
    await cluster.start();
    log(`cluster and database up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const scenario of SCENARIOS) {
      if (opts.only && opts.only.length > 0 && !opts.only.includes(scenario.name)) continue;
      log(`\n▶ cluster: ${scenario.label}`);
      try {
        const result = await runScenario(scenario, { cluster, postgres, log }, opts);
        results.push(result);
        for (const note of result.notes) log(`  ${note}`);
        for (const problem of result.problems) log(`  ✗ ${problem}`);
      } catch (error) {
        log(`  ✗ ${scenario.name} failed to run: ${(error as Error).stack ?? error}`);
        results.push({
          scenario: scenario.label,
          sent: 0,
          accepted: 0,
          paid: 0,
          lost: 0,
          duplicated: 0,
          absorbed: 0,
          recoverMs: null,
          notes: [],
          problems: [`failed to run: ${(error as Error).message}`],
        });
      }
      // Every node up again before the next scenario (a killed node rejoins on its own data).
      const running = await cluster.runningNodes();
      if (running.length !== 3) log(`  (only ${running.length} nodes running before the next scenario)`);
    }
  } finally {
    await cluster.stop();
    postgres?.stop();
    log("private cluster and PostgreSQL stopped");
  }
  return results;
}
