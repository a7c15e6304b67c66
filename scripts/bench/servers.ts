import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { waitFor } from "./util";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

function capture(child: ChildProcess) {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 12_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Polls until the child says it is ready; a probe that throws (nothing is
 * listening yet) counts as not ready. If the child exits first or the time
 * runs out, it is stopped and the error carries its output, so a failed start
 * is never a silent hang.
 */
async function untilReady(
  child: ChildProcess,
  output: () => string,
  isReady: () => boolean | Promise<boolean>,
  timeoutMs: number,
  failure: string,
) {
  const ready = await waitFor(
    async () => {
      if (child.exitCode !== null) return true;
      try {
        return await isReady();
      } catch {
        return false;
      }
    },
    timeoutMs,
    100,
  );
  if (!ready || child.exitCode !== null) {
    await stopChild(child);
    throw new Error(`${failure}:\n${output()}`);
  }
}

/**
 * The bench's own production build: Warren plus its bare route handler
 * (`/api/bench/noop`), compiled into `.next-bench` (see next.config.mjs), so
 * the build people deploy never contains a bench route.
 */
export const BENCH_BUILD_ENV = { WARREN_BENCH_BUILD: "1" } as const;
export const BENCH_DIST_DIR = ".next-bench";
const BENCH_DIST = resolve(ROOT, BENCH_DIST_DIR);

/** `next start` on the bench build. */
export async function startWarren(opts: {
  port: number;
  queue: string;
  dbPath: string;
  amqpUrl: string;
  extraEnv?: Record<string, string>;
  /** False when the payment consumer runs elsewhere (WARREN_CONSUMER=0 and `npm run worker`). */
  expectConsumer?: boolean;
  /** "production": the build people deploy (.next), for parts that need no bench route. */
  build?: "bench" | "production";
}): Promise<Server> {
  const expectConsumer = opts.expectConsumer ?? true;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(resolve(ROOT, opts.dbPath + suffix), { force: true });
  const child = spawn(
    process.execPath,
    [resolve(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(opts.port), "-H", "127.0.0.1"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        ...(opts.build === "production" ? {} : BENCH_BUILD_ENV),
        // The fan-out part opens up to 1,000 streams from one address: lift the per-client cap.
        WARREN_MAX_SSE_PER_CLIENT: "5000",
        WARREN_MAX_SSE_TOTAL: "5000",
        ORDER_QUEUE: opts.queue,
        WARREN_DB_PATH: opts.dbPath,
        AMQP_URL: opts.amqpUrl,
        ...opts.extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output = capture(child);
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  await untilReady(
    child,
    output,
    async () => {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { broker?: string; consumer?: boolean };
      return res.ok && body.broker === "up" && body.consumer === expectConsumer;
    },
    60_000,
    `next start did not become healthy on ${baseUrl}`,
  );
  return { child, baseUrl, output, stop: () => stopChild(child) };
}

/** `npm run worker`: the payment consumer in a process of its own. */
export async function startWorker(opts: {
  queue: string;
  dbPath: string;
  amqpUrl: string;
  extraEnv?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), "--conditions=react-server", "--import", "tsx", resolve(ROOT, "lib/payments/worker.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        // Any free port: a second worker on this machine must not find the default taken.
        WORKER_METRICS_PORT: "0",
        ORDER_QUEUE: opts.queue,
        WARREN_DB_PATH: opts.dbPath,
        AMQP_URL: opts.amqpUrl,
        ...opts.extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output = capture(child);
  await untilReady(
    child,
    output,
    // A worker past this machine's consumer seats stands by (lib/payments/seats.ts) and never consumes.
    () => /\[payments\] (consuming|standing by)/.test(output()),
    30_000,
    "the payment worker did not start",
  );
  return { child, baseUrl: "", output, stop: () => stopChild(child) };
}

/** The seed tutorial's Express order service, in its own process like the original. */
export async function startSeed(opts: { port: number; queue: string; amqpUrl: string }): Promise<Server> {
  const child = spawn(process.execPath, [resolve(ROOT, "scripts/bench/seed-order-service.mjs")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(opts.port), ORDER_QUEUE: opts.queue, AMQP_URL: opts.amqpUrl },
    // The tutorial logs every order; its stdout goes nowhere here, as in a detached service.
    stdio: ["ignore", "ignore", "pipe"],
  });
  const output = capture(child);
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  await untilReady(
    child,
    output,
    async () => {
      // Any HTTP answer (404 for GET /) means Express is listening.
      await fetch(baseUrl, { signal: AbortSignal.timeout(1000) });
      return true;
    },
    15_000,
    `the seed order service did not start on ${baseUrl}`,
  );
  return { child, baseUrl, output, stop: () => stopChild(child) };
}

/** Runs the bench build unless asked not to; a fresh clone has none yet. */
export async function buildIfNeeded(build: boolean, log: (line: string) => void): Promise<number | null> {
  if (!build && existsSync(resolve(BENCH_DIST, "BUILD_ID"))) {
    log("using the existing bench build (.next-bench)");
    return null;
  }
  log("building for production with the bench route (WARREN_BENCH_BUILD=1 next build → .next-bench)…");
  const started = Date.now();
  const child = spawn(process.execPath, [resolve(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...BENCH_BUILD_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = capture(child);
  const code = await new Promise<number | null>((done) => child.once("exit", (c) => done(c)));
  if (code !== 0) throw new Error(`next build failed:\n${output()}`);
  return (Date.now() - started) / 1000;
}

/** Reads Warren's ledger directly (WAL mode lets a reader in beside the server). */
export class LedgerReader {
  private readonly db: Database.Database;
  private readonly countStmt;
  private readonly ordersStmt;
  private readonly lastPaidStmt;
  private readonly roundStmt;

  constructor(path: string) {
    this.db = new Database(resolve(ROOT, path), { readonly: true, fileMustExist: true });
    this.countStmt = this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM payments");
    this.roundStmt = this.db.prepare<
      [string, number, number],
      { confirmed: number; paid: number; lastPaidAt: number | null }
    >(
      `SELECT COUNT(*) AS confirmed, COUNT(p.order_id) AS paid, MAX(p.paid_at) AS lastPaidAt
         FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id
        WHERE o.source = ? AND o.status = 'confirmed' AND o.placed_at BETWEEN ? AND ?`,
    );
    this.lastPaidStmt = this.db.prepare<[], { at: number | null }>("SELECT MAX(paid_at) AS at FROM payments");
    this.ordersStmt = this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM orders WHERE status = 'confirmed'");
  }

  /**
   * The orders one load round placed (by source and placed_at window, so
   * requests still in flight when the load generator stopped count too) and
   * how many of them the ledger holds as paid, with the last commit time.
   */
  round(source: string, from: number, to: number): { confirmed: number; paid: number; lastPaidAt: number | null } {
    const row = this.roundStmt.get(source, from, to);
    return { confirmed: row?.confirmed ?? 0, paid: row?.paid ?? 0, lastPaidAt: row?.lastPaidAt ?? null };
  }

  /** When the last payment was committed (the consumer's clock, ms). */
  lastPaidAt(): number | null {
    return this.lastPaidStmt.get()?.at ?? null;
  }

  payments(): number {
    return this.countStmt.get()?.n ?? 0;
  }

  confirmedOrders(): number {
    return this.ordersStmt.get()?.n ?? 0;
  }

  /** Waits until `target` payments exist; returns when the last one landed (or null on timeout). */
  async waitForPayments(target: number, timeoutMs: number): Promise<number | null> {
    const ok = await waitFor(() => this.payments() >= target, timeoutMs, 20);
    return ok ? Date.now() : null;
  }

  close() {
    this.db.close();
  }
}
