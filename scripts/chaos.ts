/**
 * `npm run chaos`: breaks the broker and the consumers for real — on a
 * private RabbitMQ node this script starts and always stops, never the shared
 * one on 5672 — while clients place orders, then compares what the clients
 * were told ("accepted") with the payments table of the real ledger.
 * Exits non-zero on any lost or duplicated order, or a recovery over 5 s.
 *
 *   npm run chaos                      # every scenario against `next start` (builds first if needed)
 *   npm run chaos -- --in-process      # no web build: Warren's outbox in this process + workers
 *   npm run chaos -- restart crash     # only some scenarios
 *   CHAOS_CYCLES=40 npm run chaos -- cycles   # more broker restart cycles (default 20)
 *   npm run chaos -- cluster           # at scale: 3-node cluster, private PostgreSQL, 2 web + 3 workers
 *   npm run chaos -- cluster leader pg-fast   # some of its scenarios (scripts/chaos/cluster-scenarios.ts)
 *     ports: CLUSTER_TEST_BASE_PORT (5721: nodes 5721-5723), CHAOS_PG_PORT (55432), CHAOS_PORT and CHAOS_PORT+10 (web)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CLUSTER_SCENARIOS, clusterChaos } from "./chaos/cluster-scenarios";
import { PrivateBroker } from "./chaos/private-broker";
import { restartCycles } from "./chaos/restart-cycles";
import {
  brokerRestart,
  closeAllConnections,
  consumerCrash,
  type Mode,
  poisonMessages,
  type ScenarioContext,
  type ScenarioResult,
  webSigterm,
  workerSigterm,
} from "./chaos/scenarios";

const ROOT = join(import.meta.dirname, "..");
/** The recovery this report holds Warren to; the test suite asserts only that it recovered. */
const RECOVERY_TARGET_MS = 5000;
const slow = (r: ScenarioResult) => typeof r.recoverMs === "number" && r.recoverMs > RECOVERY_TARGET_MS;
const all: Record<string, (ctx: ScenarioContext) => Promise<ScenarioResult>> = {
  restart: brokerRestart,
  cycles: (ctx) => restartCycles(ctx, Number(process.env.CHAOS_CYCLES ?? 20)),
  closeall: closeAllConnections,
  crash: consumerCrash,
  poison: poisonMessages,
  sigterm: workerSigterm,
  webterm: webSigterm,
};

const args = process.argv.slice(2);
const port = Number(process.env.CHAOS_PORT ?? 3401);

if (args[0] === "cluster") {
  const only = args.slice(1).filter((a) => !a.startsWith("--"));
  for (const name of only) {
    if (!CLUSTER_SCENARIOS.includes(name)) {
      console.error(`unknown cluster scenario "${name}"; choose from: ${CLUSTER_SCENARIOS.join(", ")}`);
      process.exit(2);
    }
  }
  buildIfMissing();
  const results = await clusterChaos({
    base: Number(process.env.CLUSTER_TEST_BASE_PORT ?? 5721),
    pgPort: Number(process.env.CHAOS_PG_PORT ?? 55432),
    webPorts: [port, port + 10],
    workdir: join(ROOT, "data", "chaos"),
    log: (line) => console.log(line),
    only,
  });
  printTable(results);
  console.log(
    "recover = from the fault's end (quorum back, process gone, database up) until every order accepted until then was paid",
  );
  const failed =
    results.length === 0 || results.some((r) => r.problems.length > 0 || r.lost > 0 || r.duplicated > 0 || slow(r));
  process.exit(failed ? 1 : 0);
}
const mode: Mode = args.includes("--in-process") ? "in-process" : "web";
const chosen = args.filter((a) => !a.startsWith("--"));
for (const name of chosen) {
  if (!all[name]) {
    console.error(`unknown scenario "${name}"; choose from: ${Object.keys(all).join(", ")}`);
    process.exit(2);
  }
}
const names = chosen.length > 0 ? chosen : Object.keys(all).filter((name) => mode === "web" || name !== "webterm");
if (mode === "web") buildIfMissing();

function buildIfMissing() {
  if (existsSync(join(ROOT, ".next", "BUILD_ID"))) return;
  console.log("no production build in .next: running next build first");
  const build = spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit", env: process.env });
  if (build.status !== 0) process.exit(1);
}

const workdir = join(ROOT, "data", "chaos");
mkdirSync(workdir, { recursive: true });
const broker = new PrivateBroker({ port: Number(process.env.CHAOS_AMQP_PORT ?? 5673) });
const results: ScenarioResult[] = [];
let exitCode = 0;

const onSignal = () => {
  void broker.stop().finally(() => process.exit(130));
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

try {
  console.log(`starting a private RabbitMQ node ${broker.nodeName} on 127.0.0.1:${broker.port} …`);
  await broker.start();
  for (const name of names) {
    const scenario = all[name];
    if (!scenario) continue;
    console.log(`\n▶ ${name} (${mode})`);
    try {
      const result = await scenario({ broker, mode, port, workdir, log: (line) => console.log(line) });
      results.push(result);
      for (const note of result.notes) console.log(`  ${note}`);
      for (const problem of result.problems) console.log(`  ✗ ${problem}`);
      if (slow(result)) console.log(`  ✗ recovery took ${result.recoverMs} ms (target ${RECOVERY_TARGET_MS} ms)`);
    } catch (error) {
      console.log(`  ✗ ${name} failed to run: ${(error as Error).stack ?? error}`);
      exitCode = 1;
    }
  }
} finally {
  await broker.stop();
  console.log(`\nprivate RabbitMQ node ${broker.nodeName} stopped`);
}

printTable(results);
if (results.some((r) => r.problems.length > 0 || r.lost > 0 || r.duplicated > 0 || slow(r))) exitCode = 1;
process.exit(exitCode);

function printTable(rows: ScenarioResult[]) {
  const header = ["scenario", "sent", "accepted", "paid", "lost", "duplicated", "absorbed", "recover", "ok"];
  const table = rows.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.accepted),
    String(r.paid),
    String(r.lost),
    String(r.duplicated),
    String(r.absorbed),
    r.recoverMs === undefined ? "n/a" : r.recoverMs === null ? "never" : `${(r.recoverMs / 1000).toFixed(2)} s`,
    r.problems.length === 0 && !slow(r) ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(`\n${line(header)}`);
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table) console.log(line(row));
  console.log("\nabsorbed = redeliveries/re-publishes the ledger recognised as already paid (not paid again)");
}
