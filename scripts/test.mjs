#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest. The builds come before the
// integration tests: the bench smoke test serves the bench build (.next-bench: the production
// build plus the bench's bare route), the browser tests the production build (.next).
// A step whose tests were skipped (the chaos suites without a local RabbitMQ install) reports
// SKIPPED with the count: a skipped guarantee is not a passed one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD_CANARY_ENV, BUILD_CANARY_MARKER } from "./lib/build-canary.mjs";
import { reachable } from "./lib/net.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";

const reports = mkdtempSync(join(tmpdir(), "warren-test-"));
const files = (dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .map((name) => `${dir}/${name}`);

/** node --test with the usual output, plus a TAP copy the summary reads the skips from. */
const nodeTests = (name, dir, extra = []) => {
  const tap = join(reports, `${name}.tap`);
  return {
    args: [
      "--conditions=react-server",
      "--import",
      "tsx",
      "--test",
      // A test (or a file whose process does not exit) that hangs fails after 5 min instead of holding CI.
      "--test-timeout=300000",
      ...extra,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...files(dir),
    ],
    // "# skipped N" leaves out a skipped describe(): count every test or suite marked SKIP.
    skipped: () => readFileSync(tap, "utf8").match(/^\s*ok \d+ - .* # SKIP\b/gm)?.length ?? 0,
  };
};

const unit = nodeTests("unit", "test/unit");
const integration = nodeTests("integration", "test/integration", ["--test-concurrency=1"]);
const e2eJson = join(reports, "e2e.json");

const steps = [
  { name: "lint + format (biome)", command: "npx", args: ["biome", "check", "."] },
  { name: "typecheck (tsc)", command: "npx", args: ["tsc", "--noEmit"] },
  { name: "unit tests", command: process.execPath, args: unit.args, skipped: unit.skipped },
  {
    // Known secrets in the build's environment: the e2e bundle scan then proves none reached the client.
    name: "production build (next build)",
    command: "npx",
    args: ["next", "build"],
    env: BUILD_CANARY_ENV,
    after: () =>
      writeFileSync(BUILD_CANARY_MARKER, `${JSON.stringify({ variables: Object.keys(BUILD_CANARY_ENV) })}\n`),
  },
  {
    name: "bench build (WARREN_BENCH_BUILD=1 next build)",
    command: "npx",
    args: ["next", "build"],
    env: { WARREN_BENCH_BUILD: "1" },
  },
  {
    name: "integration tests (real RabbitMQ)",
    command: process.execPath,
    args: integration.args,
    skipped: integration.skipped,
  },
  {
    name: "end-to-end tests (Playwright, Debian Chromium)",
    command: "npx",
    args: ["playwright", "test", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson },
    skipped: () => JSON.parse(readFileSync(e2eJson, "utf8")).stats?.skipped ?? 0,
  },
];

if (!(await reachable("127.0.0.1", 5672, 2000))) {
  console.error("RabbitMQ is not reachable on 127.0.0.1:5672. Start it (rabbitmq-server -detached) and rerun.");
  process.exit(1);
}

const results = [];
try {
  for (const step of steps) {
    console.log(`\n=== ${step.name} ===`);
    const started = Date.now();
    const run = spawnSync(step.command, step.args, { stdio: "inherit", env: { ...process.env, ...step.env } });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const ok = run.status === 0;
    if (ok) step.after?.();
    let skipped = 0;
    try {
      skipped = step.skipped?.() ?? 0;
    } catch {
      // No report (the runner died before writing it): the exit status already says FAIL.
    }
    results.push({ name: step.name, ok, skipped, seconds });
    if (!ok) break;
  }
} finally {
  rmSync(reports, { recursive: true, force: true });
}

console.log("\n=== summary ===");
for (const r of results) {
  const verdict = !r.ok ? "FAIL" : r.skipped > 0 ? "SKIPPED" : "PASS";
  const note = r.ok && r.skipped > 0 ? `, ${r.skipped} test(s) or suite(s) skipped: see the output above for why` : "";
  console.log(`${verdict}  ${r.name}  (${r.seconds} s${note})`);
}
const failed = results.some((r) => !r.ok) || results.length < steps.length;
const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
if (!failed && skipped > 0) console.log(`\n${skipped} test(s) SKIPPED: the suite did not prove everything.`);
// CI must run everything: a skip there is a missing proof.
process.exit(failed || (skipped > 0 && process.env.CI) ? 1 : 0);
