/**
 * `npm run bench -- scale`: Warren scaled out, against plain amqplib in the same run.
 *
 *   intake: POST /api/orders through 1 and 2 `next start` processes (no consumer), on SQLite
 *           and on PostgreSQL, accepted (durable + confirmed) orders per second
 *   drain:  a backlog of seed-shaped orders ({orderId, item}, as the tutorial publishes them)
 *           already on the queue, then 1, 2 and 3 `npm run worker` processes pay it; next to
 *           raw amqplib consume+ack of the same backlog with as many consumers, same prefetch;
 *           on SQLite and on PostgreSQL; on a classic queue (the broker at AMQP_URL) and on a
 *           quorum queue in a private 3-node cluster (`scripts/chaos/local-cluster.ts`)
 *
 * Env: BENCH_SCALE_ORDERS (100000), PREFETCH (300, the consumer's default), BENCH_PORT (web: port and port+1),
 * CLUSTER_TEST_BASE_PORT (5721), BENCH_SCALE_PARTS (intake,drain,quorum), BENCH_SCALE_STORES (sqlite,postgres),
 * BENCH_SCALE_WORKERS (1,2,3), BENCH_SCALE_ROUNDS (1: each drain is measured that many times, raw and
 * Warren side by side in each round, the worker counts in a rotated order; the row shows the round
 * with the median ratio and the range of the ratios), BENCH_SCALE_PROFILE (a directory: workers write CPU profiles there),
 * AMQP_URL, WARREN_TEST_PG_URL.
 * Writes bench-results/scale-<time>.json and prints the table.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import type { ConfirmChannel } from "amqplib";
import Database from "better-sqlite3";
import pg from "pg";
import { CONTROL_EXCHANGE } from "../../lib/amqp/topology";
import { DEFAULT_PREFETCH } from "../../lib/payments/prefetch";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { WarrenStore } from "../../lib/store/store";
import { createTestDatabase } from "../../test/helpers/pg-database";
import { LocalCluster } from "../chaos/local-cluster";
import { cannon, ordersApiTarget } from "./http-load";
import { ROOT, type Server, startWarren, startWorker } from "./servers";
import { connectAny, round, sleep } from "./util";

const orders = Number(process.env.BENCH_SCALE_ORDERS ?? 100_000);
const prefetch = Number(process.env.PREFETCH ?? DEFAULT_PREFETCH);
const port = Number(process.env.BENCH_PORT ?? 3400);
const sharedAmqp = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const clusterBase = Number(process.env.CLUSTER_TEST_BASE_PORT ?? 5721);
const parts = new Set((process.env.BENCH_SCALE_PARTS ?? "intake,drain,quorum").split(","));
const stores = (process.env.BENCH_SCALE_STORES ?? "sqlite,postgres").split(",") as StoreKind[];
const workerCounts = (process.env.BENCH_SCALE_WORKERS ?? "1,2,3").split(",").map(Number);
const rounds = Math.max(1, Number(process.env.BENCH_SCALE_ROUNDS ?? 1));
/** A directory: every worker writes a CPU profile there (node --cpu-prof) when it stops. */
const profileDir = process.env.BENCH_SCALE_PROFILE;
const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
const tag = Date.now().toString(36);
const t0 = Date.now();
const log = (line: string) => console.log(`[scale +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);

type StoreKind = "sqlite" | "postgres";

interface StoreHandle {
  kind: StoreKind;
  env: Record<string, string>;
  count(): Promise<number>;
  /** The operator's pause/resume as Warren stores it (the row every process follows; the broadcast only wakes them). */
  setPaused(queue: string, paused: boolean): Promise<void>;
  drop(): Promise<void>;
}

async function storePaused(store: WarrenStore, queue: string, paused: boolean): Promise<void> {
  try {
    await store.pipeline.write(queue, { paused }, { at: Date.now(), by: "bench" });
  } finally {
    await store.close();
  }
}

/** A fresh, empty store for one measurement: a SQLite file, or a PostgreSQL database created for it. */
async function freshStore(kind: StoreKind, dir: string, label: string): Promise<StoreHandle> {
  if (kind === "sqlite") {
    const path = join(dir, `${label}.db`);
    let db: Database.Database | null = null;
    return {
      kind,
      env: { WARREN_DB_PATH: path },
      async count() {
        db ??= new Database(path, { readonly: true, fileMustExist: true });
        return (db.prepare("SELECT COUNT(*) AS n FROM payments").get() as { n: number }).n;
      },
      setPaused: (queue, paused) => storePaused(openSqliteStore(path), queue, paused),
      async drop() {
        db?.close();
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
      },
    };
  }
  const database = await createTestDatabase("warren_scale");
  const pool = new pg.Pool({ connectionString: database.url(), max: 1 });
  pool.on("error", () => {});
  return {
    kind,
    env: { DATABASE_URL: database.url(), WARREN_DB_PATH: join(dir, `${label}-accounts.db`) },
    async count() {
      const { rows } = await pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM payments").catch(() => ({
        rows: [{ n: "0" }],
      }));
      return Number(rows[0]?.n ?? 0);
    },
    setPaused: (queue, paused) => storePaused(openPostgresStore(database.url(), { max: 1 }), queue, paused),
    async drop() {
      await pool.end().catch(() => {});
      await database.drop();
    },
  };
}

/** Publishes `count` persistent seed-shaped orders, a window of confirms in flight. */
async function fillBacklog(channel: ConfirmChannel, queue: string, count: number, firstId: number) {
  const WINDOW = 2000;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  for (let i = 0; i < count; i++) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => (wake = r));
    inFlight++;
    // The tutorial's shape: a numeric orderId and an item, nothing else.
    const body = Buffer.from(JSON.stringify({ orderId: firstId + i, item: "book" }));
    channel.sendToQueue(queue, body, { persistent: true }, () => {
      inFlight--;
      const w = wake;
      wake = null;
      w?.();
    });
    if (i % 500 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  await channel.waitForConfirms();
}

interface DrainRun {
  perSecond: number;
  seconds: number;
  counted: number;
  /** CPU time per order (µs) spent by the consumers, the broker and the database server during the drain. */
  cpu: CpuPerOrder;
  /** Workers that consumed (the rest stood by: every consumer seat of the machine was taken; lib/payments/seats.ts). */
  paying?: number;
  /** CPU time (ms) the workers standing by spent over the whole drain. */
  standbyCpuMs?: number;
}

interface CpuPerOrder {
  consumers: number;
  broker: number;
  database: number;
}

/** Clock ticks (user + system) of processes, read from /proc (Linux); 0 where unreadable. */
function ticksOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone, or not Linux
    }
  }
  return ticks;
}

/** Pids whose command name is `name` (beam.smp: the broker nodes; postgres: the server and its backends). */
function pidsNamed(name: string): number[] {
  try {
    return readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** This process's CPU time so far (µs), user and system, from one reading. */
function cpuOfSelf(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU used between start() and stop(): the consumers (given pids, or this process), the broker, PostgreSQL. */
function cpuMeter(consumerPids: number[] | "self") {
  const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux
  const consumers = () => (consumerPids === "self" ? cpuOfSelf() : ticksOf(consumerPids) * TICK_US);
  const broker = () => ticksOf(pidsNamed("beam.smp")) * TICK_US;
  // Backends come and go: count the live ones at both ends (a backend that exits meanwhile is lost).
  const database = () => ticksOf(pidsNamed("postgres")) * TICK_US;
  const before = { consumers: consumers(), broker: broker(), database: database() };
  return (orders: number): CpuPerOrder => ({
    consumers: round((consumers() - before.consumers) / orders, 1) ?? 0,
    broker: round((broker() - before.broker) / orders, 1) ?? 0,
    database: round(Math.max(0, database() - before.database) / orders, 1) ?? 0,
  });
}

/**
 * Fills `queue` with the backlog, runs `run`, and deletes the queue and its DLQ after, unless
 * `keep`: a Warren consumer still subscribed re-declares a queue deleted under it, so a caller with
 * workers deletes it itself once they have stopped.
 */
async function withBacklog<T>(amqpUrl: string, queue: string, run: () => Promise<T>, keep = false): Promise<T> {
  const conn = await connectAny(amqpUrl, { noDelay: true });
  conn.on("error", () => {});
  try {
    const channel = await conn.createConfirmChannel();
    // Arg-less, as Warren and the tutorial declare it: a quorum queue in a quorum-default vhost.
    await channel.assertQueue(queue, { durable: true });
    const filled = Date.now();
    await fillBacklog(channel, queue, orders, Date.now() * 1000);
    const { messageCount } = await channel.checkQueue(queue);
    log(`  ${messageCount} orders on ${queue} (published in ${((Date.now() - filled) / 1000).toFixed(1)} s)`);
    await channel.close();
    return await run();
  } finally {
    if (!keep) await deleteQueues(conn, queue);
    await conn.close().catch(() => {});
  }
}

async function deleteQueues(conn: Awaited<ReturnType<typeof connectAny>>, queue: string) {
  const channel = await conn.createChannel().catch(() => null);
  for (const name of [queue, `${queue}.dlq`]) await channel?.deleteQueue(name).catch(() => {});
}

/** Raw amqplib: `consumers` connections, each a channel with `prefetch`, consume + ack one by one. */
async function rawDrain(amqpUrl: string, consumers: number): Promise<DrainRun> {
  const queue = `bench.scale.raw.${tag}.${consumers}.${Math.random().toString(36).slice(2, 6)}`;
  return withBacklog(amqpUrl, queue, async () => {
    let acked = 0;
    let first = 0;
    let last = 0;
    const conns = await Promise.all(Array.from({ length: consumers }, () => connectAny(amqpUrl, { noDelay: true })));
    try {
      await Promise.all(
        conns.map(async (conn) => {
          const channel = await conn.createChannel();
          await channel.prefetch(prefetch);
          await channel.consume(queue, (message) => {
            if (!message) return;
            if (first === 0) first = Date.now();
            channel.ack(message);
            acked++;
            last = Date.now();
          });
        }),
      );
      const meter = cpuMeter("self");
      const deadline = Date.now() + 300_000;
      while (acked < orders && Date.now() < deadline) await sleep(20);
      const seconds = (last - first) / 1000;
      return {
        perSecond: round(acked / seconds, 0) ?? 0,
        seconds: round(seconds, 2) ?? 0,
        counted: acked,
        cpu: meter(acked),
      };
    } finally {
      for (const conn of conns) await conn.close().catch(() => {});
    }
  });
}

/**
 * Warren: `workers` worker processes start on the empty queue, are paused as the queue page pauses
 * them (the stored pipeline state, then a wake-up on the control exchange), the backlog is published, and one
 * resume starts them all at once: the rate runs from the resume to the last payment's commit, so
 * a worker's start-up (a few seconds of tsx) is not counted as drain time, and no worker drains
 * the backlog alone before the others are up.
 */
async function warrenDrain(amqpUrl: string, kind: StoreKind, workers: number, dir: string): Promise<DrainRun> {
  const label = `${kind}-${workers}-${Math.random().toString(36).slice(2, 6)}`;
  const queue = `bench.scale.${tag}.${label}`;
  const store = await freshStore(kind, dir, label);
  const started: Server[] = [];
  const conn = await connectAny(amqpUrl, { noDelay: true });
  conn.on("error", () => {});
  try {
    // One first (it creates the schema on a fresh store), the others together.
    started.push(await startWorker({ queue, dbPath: "", amqpUrl, extraEnv: workerEnv(store), nodeArgs }));
    started.push(
      ...(await Promise.all(
        Array.from({ length: workers - 1 }, () =>
          startWorker({ queue, dbPath: "", amqpUrl, extraEnv: workerEnv(store), nodeArgs }),
        ),
      )),
    );
    const control = await conn.createConfirmChannel();
    const command = async (name: "pause" | "resume") => {
      await store.setPaused(queue, name === "pause");
      control.publish(CONTROL_EXCHANGE, queue, Buffer.from(JSON.stringify({ command: name })), {
        contentType: "application/json",
      });
      return control.waitForConfirms();
    };
    await command("pause");
    const check = await conn.createChannel();
    const until = Date.now() + 30_000;
    while ((await check.checkQueue(queue)).consumerCount > 0 && Date.now() < until) await sleep(50);
    const { consumerCount } = await check.checkQueue(queue);
    if (consumerCount > 0) throw new Error(`${consumerCount} worker(s) did not pause`);
    return await withBacklog(
      amqpUrl,
      queue,
      async () => {
        const meter = cpuMeter(started.map((s) => s.child.pid ?? 0));
        // The workers standing by for a seat (none consumed at start): their own CPU over the drain, apart.
        const standing = started.filter((s) => !/\[payments\] consuming/.test(s.output()));
        const standbyMeter = standing.length > 0 ? cpuMeter(standing.map((s) => s.child.pid ?? 0)) : null;
        const from = Date.now();
        await command("resume");
        const deadline = from + 600_000;
        let paid = await store.count();
        while (paid < orders && Date.now() < deadline) {
          await sleep(100);
          paid = await store.count();
        }
        const seconds = (Date.now() - from) / 1000;
        if (paid < orders) throw new Error(`${kind}, ${workers} worker(s): only ${paid} of ${orders} paid`);
        return {
          paying: started.filter((s) => /\[payments\] consuming/.test(s.output())).length,
          standbyCpuMs: standbyMeter ? (round((standbyMeter(paid).consumers * paid) / 1000, 1) ?? 0) : undefined,
          perSecond: round(paid / seconds, 0) ?? 0,
          seconds: round(seconds, 2) ?? 0,
          counted: paid,
          cpu: meter(paid),
        };
      },
      true,
    );
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await deleteQueues(conn, queue);
    await conn.close().catch(() => {});
    await store.drop();
  }
}

function workerEnv(store: StoreHandle): Record<string, string> {
  return {
    ...store.env,
    PREFETCH: String(prefetch),
  };
}

interface DrainRound {
  warren: DrainRun;
  raw: DrainRun;
  ratio: number;
}

/** One drain measured `rounds` times: the round with the median ratio, and every round. */
interface DrainRow extends DrainRound {
  broker: string;
  store: StoreKind;
  workers: number;
  rounds: DrainRound[];
}

async function drainSet(broker: string, amqpUrl: string, dir: string): Promise<DrainRow[]> {
  const rows: DrainRow[] = [];
  for (const kind of stores) {
    const measured = new Map<number, DrainRound[]>(workerCounts.map((w) => [w, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotated each round, so that a drift of the machine's speed does not always favour one count.
      const order = workerCounts.map((_, i) => workerCounts[(i + r) % workerCounts.length] as number);
      for (const workers of order) {
        const raw = await rawDrain(amqpUrl, workers);
        log(`${broker}: raw consume+ack, ${workers} consumer(s): ${raw.perSecond}/s`);
        const warren = await warrenDrain(amqpUrl, kind, workers, dir);
        const ratio = round(warren.perSecond / raw.perSecond, 2) ?? 0;
        log(
          `${broker}: Warren on ${kind}, ${workers} worker(s)${standingBy({ workers, warren })}: ${warren.perSecond}/s (${ratio}× raw)${standbyCpu(warren)}`,
        );
        measured.get(workers)?.push({ warren, raw, ratio });
      }
    }
    for (const workers of workerCounts) {
      const all = measured.get(workers) ?? [];
      const median = medianRound(all);
      if (median) rows.push({ broker, store: kind, workers, ...median, rounds: all });
    }
  }
  return rows;
}

/** The round whose ratio is the median (the lower middle of an even count). */
export function medianRound<T extends { ratio: number }>(all: T[]): T | undefined {
  const sorted = [...all].sort((a, b) => a.ratio - b.ratio);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

interface IntakeRow {
  store: StoreKind;
  webs: number;
  perSecond: number;
  non2xx: number;
  errors: number;
}

/** POST /api/orders with 16 clients, split over 1 or 2 web processes (no consumer), 3 × 3 s. */
async function intake(dir: string): Promise<IntakeRow[]> {
  const rows: IntakeRow[] = [];
  for (const kind of ["sqlite", "postgres"] as const) {
    for (const webs of [1, 2]) {
      const label = `intake-${kind}-${webs}`;
      const queue = `bench.scale.${tag}.${label}`;
      const store = await freshStore(kind, dir, label);
      const servers: Server[] = [];
      try {
        const start = (i: number) =>
          startWarren({
            port: port + i,
            queue,
            dbPath: store.env.WARREN_DB_PATH ?? "",
            amqpUrl: sharedAmqp,
            expectConsumer: false,
            build: "production",
            extraEnv: { ...store.env, WARREN_CONSUMER: "0" },
          });
        servers.push(await start(0));
        if (webs === 2) servers.push(await start(1));
        let ok = 0;
        let seconds = 0;
        let non2xx = 0;
        let errors = 0;
        for (let round = 0; round < 3; round++) {
          const results = await Promise.all(
            servers.map((s) => cannon(ordersApiTarget(s.baseUrl), 16 / servers.length, 3000)),
          );
          ok += results.reduce((n, r) => n + r.ok, 0);
          non2xx += results.reduce((n, r) => n + r.non2xx, 0);
          errors += results.reduce((n, r) => n + r.errors, 0);
          seconds += Math.max(...results.map((r) => r.seconds));
        }
        const perSecond = round(ok / seconds, 0) ?? 0;
        log(`intake on ${kind} through ${webs} web process(es): ${perSecond} accepted/s`);
        rows.push({ store: kind, webs, perSecond, non2xx, errors });
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        await store.drop();
        const conn = await connectAny(sharedAmqp).catch(() => null);
        const channel = await conn?.createChannel().catch(() => null);
        for (const name of [queue, `${queue}.dlq`]) await channel?.deleteQueue(name).catch(() => {});
        await conn?.close().catch(() => {});
      }
    }
  }
  return rows;
}

export async function scaleBench(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), "warren-scale-"));
  const load = os.loadavg();
  log(
    `${orders} orders per backlog, prefetch ${prefetch}, ${os.cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(" ")}`,
  );
  const result: {
    intake: IntakeRow[];
    drain: DrainRow[];
    orders: number;
    prefetch: number;
    loadBefore: number[];
    loadAfter?: number[];
  } = { intake: [], drain: [], orders, prefetch, loadBefore: load };
  try {
    if (parts.has("intake")) result.intake = await intake(dir);
    if (parts.has("drain")) result.drain.push(...(await drainSet("classic (1 node)", sharedAmqp, dir)));
    if (parts.has("quorum")) {
      const cluster = new LocalCluster({ base: clusterBase, prefix: "warren-bench-cluster" });
      try {
        log(`starting a 3-node cluster on ${clusterBase}-${clusterBase + 2} …`);
        await cluster.start();
        result.drain.push(...(await drainSet("quorum (3 nodes)", cluster.amqpUrl, dir)));
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result.loadAfter = os.loadavg();
  print(result);
  mkdirSync(resolve(ROOT, "bench-results"), { recursive: true });
  const out = resolve(ROOT, "bench-results", `scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(out, JSON.stringify(result, null, 2));
  log(`written ${out}`);
}

function print(result: { intake: IntakeRow[]; drain: DrainRow[] }) {
  const n = (v: number) => v.toLocaleString("en");
  if (result.intake.length > 0) {
    console.log("\n| intake (POST /api/orders, 16 clients) | 1 web process | 2 web processes | 2 / 1 |");
    console.log("|---|---|---|---|");
    for (const kind of ["sqlite", "postgres"] as const) {
      const one = result.intake.find((r) => r.store === kind && r.webs === 1);
      const two = result.intake.find((r) => r.store === kind && r.webs === 2);
      if (one && two)
        console.log(
          `| ${kind} | ${n(one.perSecond)}/s | ${n(two.perSecond)}/s | ${(two.perSecond / one.perSecond).toFixed(2)}× |`,
        );
    }
  }
  if (result.drain.length > 0) {
    console.log(
      "\n| backlog drain | store | workers | Warren paid/s | raw consume+ack/s (same consumers) | ratio | CPU µs/order: workers / broker / database (raw: consumer / broker) |",
    );
    console.log("|---|---|---|---|---|---|---|");
    for (const r of result.drain) {
      const w = r.warren.cpu;
      const cpu = `${w.consumers} / ${w.broker} / ${r.store === "postgres" ? w.database : "–"} (raw ${r.raw.cpu.consumers} / ${r.raw.cpu.broker})`;
      const ratios = r.rounds.map((x) => x.ratio);
      const range = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : "";
      console.log(
        `| ${r.broker} | ${r.store} | ${r.workers}${standingBy(r)} | ${n(r.warren.perSecond)} | ${n(r.raw.perSecond)} | ${r.ratio.toFixed(2)}×${range} | ${cpu} |`,
      );
    }
    // "A worker more never lowers throughput": each step, in the median paid/s over the rounds.
    for (const broker of new Set(result.drain.map((r) => r.broker))) {
      for (const kind of new Set(result.drain.map((r) => r.store))) {
        const steps = result.drain.filter((r) => r.broker === broker && r.store === kind);
        const paid = steps.map((r) => median(r.rounds.map((x) => x.warren.perSecond)));
        const changes = steps
          .slice(1)
          .map((r, i) => `${steps[i]?.workers}→${r.workers}: ${signedPercent(paid[i + 1] ?? 0, paid[i] ?? 0)}`);
        if (changes.length > 0) console.log(`a worker more (median paid/s), ${broker}, ${kind}: ${changes.join(", ")}`);
      }
    }
  }
}

/** " (2 paying)" when some of the workers stood by for a consumer seat in the round shown. */
function standingBy(row: { workers: number; warren: DrainRun }): string {
  const paying = row.warren.paying;
  return paying !== undefined && paying < row.workers ? ` (${paying} paying)` : "";
}

/** "; standing by: 40 ms of CPU in 5.2 s" when some workers stood by. */
function standbyCpu(run: DrainRun): string {
  return run.standbyCpuMs === undefined ? "" : `; standing by: ${run.standbyCpuMs} ms of CPU in ${run.seconds} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function signedPercent(now: number, before: number): string {
  if (before <= 0) return "n/a";
  const change = (100 * (now - before)) / before;
  return `${change >= 0 ? "+" : ""}${change.toFixed(1)} %`;
}
