import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** A child process whose whole output is kept for the test to read (nothing is cut). */
export interface CapturedProcess {
  child: ChildProcess;
  /** stdout and stderr together, in the order they came. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /**
   * Its exit code (null when a signal ended it), once it has exited and its output is all read.
   * Made at spawn, so an exit before anyone waits is never missed.
   */
  exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM) unless it has exited already, and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** `node <args>` with stdin closed and both output streams captured. */
export function spawnCaptured(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CapturedProcess {
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let all = "";
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    all += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    all += chunk.toString();
  });
  let done = false;
  const exited = new Promise<number | null>((settle) =>
    child.once("close", (code: number | null) => {
      done = true;
      settle(code);
    }),
  );
  return {
    child,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/**
 * What `npm run worker` runs (lib/payments/worker.ts under tsx, with the react-server condition), without
 * npm in between so a signal reaches the worker itself. `env` comes on top of this process's environment;
 * nothing else is set, so each test says which queue, store, broker and metrics port its worker uses.
 * Consumer seats are off (every worker pays, however many cores: the tests of many writers need them
 * all) unless `env` sets WARREN_CONSUMERS_PER_HOST. It returns at once: wait on `output()` for what the
 * test needs the worker to have done.
 */
export function startWorkerProcess(env: Record<string, string>): CapturedProcess {
  return spawnCaptured(["--conditions=react-server", "--import", "tsx", resolve(ROOT, "lib/payments/worker.ts")], {
    env: { ...process.env, WARREN_CONSUMERS_PER_HOST: "0", ...env },
  });
}
