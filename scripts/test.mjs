#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest. The builds come before the
// integration tests: the bench smoke test serves the bench build (.next-bench: the production
// build plus the bench's bare route), the browser tests the production build (.next).
import { spawnSync } from "node:child_process";
import { reachable } from "./lib/net.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";

const steps = [
  ["lint + format (biome)", "npx", ["biome", "check", "."]],
  ["typecheck (tsc)", "npx", ["tsc", "--noEmit"]],
  ["unit tests", "npm", ["run", "--silent", "test:unit"]],
  ["production build (next build)", "npx", ["next", "build"]],
  ["bench build (WARREN_BENCH_BUILD=1 next build)", "npx", ["next", "build"], { WARREN_BENCH_BUILD: "1" }],
  ["integration tests (real RabbitMQ)", "npm", ["run", "--silent", "test:integration"]],
  ["end-to-end tests (Playwright, Debian Chromium)", "npx", ["playwright", "test"]],
];

if (!(await reachable("127.0.0.1", 5672, 2000))) {
  console.error("RabbitMQ is not reachable on 127.0.0.1:5672. Start it (rabbitmq-server -detached) and rerun.");
  process.exit(1);
}

const results = [];
for (const [name, command, args, env = {}] of steps) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const run = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, ok: run.status === 0, seconds });
  if (run.status !== 0) break;
}

console.log("\n=== summary ===");
for (const r of results) console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.name}  (${r.seconds} s)`);
const failed = results.some((r) => !r.ok) || results.length < steps.length;
process.exit(failed ? 1 : 0);
