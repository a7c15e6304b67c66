import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "./ports";

const BIN = process.env.WARREN_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * A PostgreSQL server of its own in a temp dir, for tests that stop or restart it (the
 * machine's server is shared: never restart that one). initdb and pg_ctl refuse to run as
 * root, so they run as the postgres user when this process is root. `stop()` belongs in a
 * finally: it stops the server (immediate) and removes its files.
 */
export async function startPrivatePostgres(wanted: { port?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "warren-pg-"));
  const data = join(dir, "data");
  const port = wanted.port ?? (await closedPort());
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) =>
    execFileSync(
      asRoot ? "runuser" : join(BIN, tool),
      asRoot ? ["-u", "postgres", "--", join(BIN, tool), ...args] : args,
      {
        stdio: "pipe",
        timeout: 60_000,
      },
    );
  // The same, without blocking the event loop (a load generator in this process keeps running).
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile(
        asRoot ? "runuser" : join(BIN, tool),
        asRoot ? ["-u", "postgres", "--", join(BIN, tool), ...args] : args,
        { timeout: 60_000 },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  let stopped = false;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** `pg_ctl restart` in the given mode ("fast": clients cut off; "immediate": a crash, recovered from the WAL). */
    restart(mode: "fast" | "immediate") {
      run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-m", mode, "-w", "restart"]);
    },
    /** `restart`, without blocking this process's event loop. */
    restartAsync(mode: "fast" | "immediate") {
      return runAsync("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-m", mode, "-w", "restart"]);
    },
    /** Takes the server away (fast shutdown) until `start()`. */
    halt() {
      run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    },
    start() {
      run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
