#!/usr/bin/env node
// `npm start`: install what is missing, make sure a broker is reachable (start a
// local one if it is installed), build if the sources changed, then run Warren
// (web + payment consumer) on http://localhost:$PORT.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reachable } from "./lib/net.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const say = (message) => console.log(`[warren] ${message}`);

function run(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`[warren] \`${command} ${args.join(" ")}\` failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestIn(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

function hasCommand(name) {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// 1. Dependencies.
if (
  !existsSync("node_modules/.package-lock.json") ||
  mtime("package-lock.json") > mtime("node_modules/.package-lock.json")
) {
  say("installing dependencies (npm ci; better-sqlite3 builds from source, about 90 s)…");
  run("npm", ["ci", "--no-fund", "--no-audit"]);
}

// 2. The broker.
const amqpUrl = process.env.AMQP_URL || "amqp://guest:guest@127.0.0.1:5672";
// AMQP_URL may list a cluster's nodes, comma-separated: one reachable node is enough to start.
const nodes = amqpUrl
  .split(",")
  .map((entry) => entry.trim())
  .filter(Boolean)
  .map((entry) => {
    try {
      const url = new URL(entry);
      return {
        host: url.hostname || "127.0.0.1",
        port: Number(url.port) || (url.protocol === "amqps:" ? 5671 : 5672),
      };
    } catch {
      // lib/config/env.ts reports a malformed AMQP_URL with its name and the entry's position at start.
      return { host: "127.0.0.1", port: 5672 };
    }
  });
let { host, port } = nodes[0] ?? { host: "127.0.0.1", port: 5672 };
for (const node of nodes) {
  if (await reachable(node.host, node.port)) {
    ({ host, port } = node);
    break;
  }
}
const local = ["127.0.0.1", "localhost", "::1"].includes(host);
if (!(await reachable(host, port))) {
  if (local && port === 5672 && hasCommand("rabbitmq-server")) {
    say(`no broker on ${host}:${port}; starting the local RabbitMQ (rabbitmq-server -detached)…`);
    spawnSync("rabbitmq-server", ["-detached"], { stdio: "inherit" });
    const deadline = Date.now() + 90_000;
    while (!(await reachable(host, port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    if (!(await reachable(host, port))) {
      console.error(
        `[warren] RabbitMQ did not come up on ${host}:${port} within 90 s; see its logs under /var/log/rabbitmq.`,
      );
      process.exit(1);
    }
    if (hasCommand("rabbitmq-plugins")) {
      // Optional: enables queue rates, unacked counts and the all-queues view.
      spawnSync("rabbitmq-plugins", ["enable", "rabbitmq_management"], { stdio: "ignore" });
    }
  } else {
    console.error(`
[warren] No RabbitMQ is reachable at ${host}:${port}${
      local && port === 5672
        ? " and rabbitmq-server is not installed here"
        : local
          ? " (a local rabbitmq-server is only started for the default port 5672)"
          : ""
    }.
Start one with Docker:

    docker run -d --name warren-rabbitmq -p ${port}:5672 -p 15672:15672 rabbitmq:3-management

or install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server), or point AMQP_URL at yours,
then run \`npm start\` again.
`);
    process.exit(1);
  }
}
say(`broker reachable at ${host}:${port}`);

// 3. Build when there is no build or a source is newer than it.
const sources = [
  "app",
  "lib",
  "components",
  "public",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.mjs",
  "package-lock.json",
  "postcss.config.mjs",
  "tsconfig.json",
];
// NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is read by `next build` and embedded in the build: several web
// processes behind one load balancer need builds made with the same key (or one build copied to all).
// A build made with another key (or none) is rebuilt, so changing the key takes effect.
const actionKey = process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY?.trim() || "";
if (actionKey && ![16, 24, 32].includes(Buffer.from(actionKey, "base64").length)) {
  console.error(
    "[warren] NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: expected a base64 AES key of 16, 24 or 32 bytes (openssl rand -base64 32).",
  );
  process.exit(2);
}
const keyMark = ".next/warren-action-key";
const keyFingerprint = actionKey ? createHash("sha256").update(actionKey).digest("hex").slice(0, 16) : "none";
const builtWith = existsSync(keyMark) ? readFileSync(keyMark, "utf8").trim() : "none";
const built = mtime(".next/BUILD_ID");
if (built === 0 || Math.max(...sources.map(newestIn)) > built || builtWith !== keyFingerprint) {
  say(
    builtWith !== keyFingerprint && built !== 0
      ? "building the production app (next build): the server actions key changed…"
      : "building the production app (next build)…",
  );
  run("npx", ["next", "build"]);
  // A fingerprint, never the key: the build directory may be copied around.
  writeFileSync(keyMark, `${keyFingerprint}\n`);
}

// 4. Serve. Signals go to Next so the consumer shuts down in order.
const appPort = process.env.PORT || "3000";
say(`starting on http://localhost:${appPort} (payment consumer included; Ctrl+C to stop)`);
const child = spawn("npx", ["next", "start", "-p", appPort], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
