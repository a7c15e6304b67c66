import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export interface WarrenProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process printed, for the report when a scenario fails. */
  output: string[];
  exited: Promise<number | null>;
  pid: number;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
}

export interface WarrenEnv {
  amqpUrl: string;
  dbPath: string;
  queue: string;
  extra?: Record<string, string>;
}

function baseEnv({ amqpUrl, dbPath, queue, extra }: WarrenEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AMQP_URL: amqpUrl,
    WARREN_DB_PATH: dbPath,
    ORDER_QUEUE: queue,
    // The private node has no management plugin; never fall back to the shared broker's API.
    RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
    NEXT_TELEMETRY_DISABLED: "1",
    // Every consumer pays at once, however many cores (lib/payments/seats.ts): the harsher case for
    // exactly-once, with every writer racing every other. `extra` may set seats back on.
    WARREN_CONSUMERS_PER_HOST: "0",
    ...extra,
  };
}

function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): WarrenProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) output.push(line);
    if (output.length > 2000) output.splice(0, output.length - 2000);
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    name,
    child,
    output,
    exited,
    pid: child.pid ?? -1,
    signal(signal) {
      if (!gone) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    waitForOutput(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.some((line) => pattern.test(line))) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-30).join("\n")}`),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
        void exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`${name} exited before printing ${pattern}:\n${output.slice(-30).join("\n")}`));
        });
      });
    },
  };
}

/**
 * `npm run worker`, launched as the single node process it runs
 * (`tsx --conditions=react-server lib/payments/worker.ts` forks a child, so a
 * kill -9 of tsx would leave the real worker running).
 */
export async function startWorker(name: string, env: WarrenEnv, prefetch = 50): Promise<WarrenProcess> {
  const worker = launch(
    name,
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "lib/payments/worker.ts"],
    baseEnv({ ...env, extra: { PREFETCH: String(prefetch), ...env.extra } }),
  );
  await worker.waitForOutput(/\[payments\] consuming/, 30_000);
  return worker;
}

/** `next start` from the production build in .next, with its own port, DB and queue. */
export async function startWeb(
  name: string,
  env: WarrenEnv,
  port: number,
  consumer = true,
  /** Wait until its consumer consumes (false: ready is enough, e.g. for one that stands by for a seat). */
  waitForConsumer = consumer,
): Promise<WarrenProcess> {
  const web = launch(
    name,
    process.execPath,
    [join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    baseEnv({ ...env, extra: { PORT: String(port), WARREN_CONSUMER: consumer ? "1" : "0", ...env.extra } }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
      const health = (await res.json()) as { broker?: string; consumer?: boolean };
      if (res.ok && health.broker === "up" && (!waitForConsumer || health.consumer)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await web.stop(2000);
      throw new Error(`${name} did not become healthy:\n${web.output.slice(-30).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return web;
}
