import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { reachable } from "../lib/net.mjs";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const RABBIT_BIN = "/usr/lib/rabbitmq/bin";
const SHARED_COOKIE = "/var/lib/rabbitmq/.erlang.cookie";

/**
 * Why the private-node suites cannot run here, or false when they can. A machine whose broker
 * runs elsewhere (Docker, a remote host) has no RabbitMQ install to start a second node from:
 * the suites are skipped there with this reason. In CI they never skip (`.ci/run` installs
 * rabbitmq-server), so a missing install fails loudly instead of passing silently.
 */
export function privateBrokerSkipReason(): string | false {
  if (existsSync(`${RABBIT_BIN}/rabbitmq-server`) || process.env.CI) return false;
  return `no local RabbitMQ install (${RABBIT_BIN}): the chaos suites start a private node from it; apt-get install rabbitmq-server`;
}

/**
 * rabbitmqctl against a private node, from this process or another (`npm run cluster -- stop-node`):
 * its name and its folder, whose home holds the node's Erlang cookie. Debian's /usr/sbin/rabbitmqctl
 * would run as the rabbitmq user with the shared node's cookie; the install's own script does not.
 */
export async function ctlNode(nodeName: string, dir: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(`${RABBIT_BIN}/rabbitmqctl`, ["-n", nodeName, ...args], {
    env: env ?? { ...process.env, HOME: join(dir, "home") },
    cwd: dir,
    timeout: 60_000,
  });
  return stdout;
}

export interface PrivateBrokerOptions {
  /** Erlang node name; must not be the shared broker's (rabbit@localhost). */
  nodeName?: string;
  port?: number;
  distPort?: number;
  /** A user of our own, created on this node only (guest stays too). */
  user?: { name: string; password: string };
  /** Serve the management API (and its plugin) on this port. */
  managementPort?: number;
  /** The Erlang cookie: nodes that are to form a cluster need the same one. */
  cookie?: string;
  /** More rabbitmq.conf lines (e.g. `management_agent.disable_metrics_collector = true`). */
  extraConfig?: string[];
  /** More plugins to enable (e.g. `rabbitmq_prometheus`; set its port with `prometheus.tcp.port` in extraConfig). */
  plugins?: string[];
}

/**
 * A second RabbitMQ node that the chaos suite starts, breaks and stops on its
 * own: the shared broker on 5672 is never touched. Everything lives in a
 * temporary directory (mnesia, logs, config, an empty plugin list), and the
 * node is always stopped by `stop()` — call it in a `finally`.
 */
export class PrivateBroker {
  readonly nodeName: string;
  readonly port: number;
  readonly distPort: number;
  readonly dir: string;
  private started = false;
  private osPid = 0;

  constructor(private readonly options: PrivateBrokerOptions = {}) {
    this.port = options.port ?? 5673;
    if (this.port === 5672) throw new Error("refusing to use the shared broker's port 5672");
    // Named after its port: runs on different ports (CHAOS_AMQP_PORT) get different Erlang nodes,
    // and a second run on a taken port stops at start() with a clear message.
    this.nodeName = options.nodeName ?? `warren-chaos-${this.port}@localhost`;
    if (this.nodeName.startsWith("rabbit@")) throw new Error("refusing to drive the shared broker's node");
    this.distPort = options.distPort ?? this.port + 20000;
    this.dir = mkdtempSync(join(tmpdir(), "warren-chaos-rmq-"));
  }

  /** amqp:// URL for guest (who may only log in from localhost, which is where we are). */
  get url(): string {
    const user = this.options.user;
    return user
      ? `amqp://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${this.port}`
      : `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: join(this.dir, "home"),
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
      RABBITMQ_PID_FILE: join(this.dir, "rabbit.pid"),
    };
  }

  async ctl(...args: string[]): Promise<string> {
    return ctlNode(this.nodeName, this.dir, args, this.env);
  }

  async start(): Promise<this> {
    if (await reachable("127.0.0.1", this.port, 1000)) {
      throw new Error(`port ${this.port} is already taken: another private broker is running? (not starting)`);
    }
    for (const sub of ["home", "mnesia", "log"]) mkdirSync(join(this.dir, sub), { recursive: true });
    // The same cookie as the shared node, so rabbitmqctl (as root) can talk to ours; or the
    // cluster's own, so its nodes can join each other.
    const cookie = join(this.dir, "home", ".erlang.cookie");
    if (this.options.cookie) writeFileSync(cookie, this.options.cookie);
    else if (existsSync(SHARED_COOKIE)) copyFileSync(SHARED_COOKIE, cookie);
    if (existsSync(cookie)) chmodSync(cookie, 0o400);
    const management = this.options.managementPort;
    const plugins = [...(management ? ["rabbitmq_management"] : []), ...(this.options.plugins ?? [])];
    writeFileSync(join(this.dir, "enabled_plugins"), `[${plugins.join(",")}].\n`);
    // Our own config: /etc/rabbitmq/rabbitmq.conf pins the shared node's listener to 5672, and the
    // management API's default port (15672) belongs to the shared node too.
    const config = [
      `listeners.tcp.local = 127.0.0.1:${this.port}`,
      "loopback_users.guest = true",
      "log.console = false",
    ];
    if (management) config.push(`management.tcp.port = ${management}`, "management.tcp.ip = 127.0.0.1");
    config.push(...(this.options.extraConfig ?? []));
    writeFileSync(join(this.dir, "rabbitmq.conf"), `${config.join("\n")}\n`);
    await run(`${RABBIT_BIN}/rabbitmq-server`, ["-detached"], { env: this.env, cwd: this.dir, timeout: 60_000 });
    this.started = true;
    await this.awaitStartup();
    this.osPid = Number((await this.ctl("eval", "list_to_integer(os:getpid()).")).trim());
    const user = this.options.user;
    if (user) {
      await this.ctl("add_user", user.name, user.password);
      await this.ctl("set_permissions", "-p", "/", user.name, ".*", ".*", ".*");
    }
    return this;
  }

  /** The management API's base URL, when this node serves one. */
  get managementUrl(): string | null {
    return this.options.managementPort ? `http://127.0.0.1:${this.options.managementPort}` : null;
  }

  /** The operating-system pid of the node (for a `kill -9` in a chaos scenario). */
  get pid(): number {
    return this.osPid;
  }

  /** Makes this node a member of `seed`'s cluster; its own data is reset first. */
  async joinCluster(seed: PrivateBroker): Promise<void> {
    await this.ctl("stop_app");
    await this.ctl("reset");
    await this.ctl("join_cluster", seed.nodeName);
    await this.startApp();
  }

  /** Stops the RabbitMQ application (the Erlang node stays), like a broker restart's first half. */
  async stopApp(): Promise<void> {
    await this.ctl("stop_app");
  }

  async startApp(): Promise<void> {
    await this.ctl("start_app");
    await this.ctl("await_startup", "--timeout", "60");
  }

  /** `kill -9` of the node's Erlang VM (a crash: no goodbye to clients or to the other cluster members). */
  kill(): void {
    if (this.osPid <= 0) throw new Error(`${this.nodeName}: no pid known`);
    try {
      process.kill(this.osPid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  /** Starts the node again on its existing data (after `kill()`), as a restarted server would. */
  async relaunch(): Promise<void> {
    const deadline = Date.now() + 30_000;
    // The killed VM may hold its port for a moment.
    while ((await reachable("127.0.0.1", this.port, 500)) && Date.now() < deadline) await sleep(200);
    await run(`${RABBIT_BIN}/rabbitmq-server`, ["-detached"], { env: this.env, cwd: this.dir, timeout: 60_000 });
    await this.awaitStartup();
    this.osPid = Number((await this.ctl("eval", "list_to_integer(os:getpid()).")).trim());
  }

  private async awaitStartup(): Promise<void> {
    // -detached returns before the Erlang node is reachable: await_startup fails fast until it is.
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await this.ctl("await_startup", "--timeout", "60");
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  }

  async closeAllConnections(reason = "warren chaos"): Promise<void> {
    await this.ctl("close_all_connections", reason);
  }

  /** Stops the whole node and removes its files. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      await this.ctl("stop").catch(() => {
        // The node may be wedged: kill it by the pid it told us, never by name.
        if (this.osPid > 0) {
          try {
            process.kill(this.osPid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
