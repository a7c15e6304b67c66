import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * `npm run bench -- --smoke`: every part of the benchmark, a few hundred ms
 * each, against the real broker, `next start` and Chromium. It proves the
 * harness runs and measures something real; the targets themselves are only
 * judged by the full run (`npm run bench`). Uses the existing bench build
 * (`.next-bench`, the production build plus the bench's bare route handler)
 * when there is one, else builds it first, which takes a minute or two more.
 * The server's counters come from its GET /api/metrics.
 */
test("the benchmark harness runs every part in smoke mode and writes its JSON", { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), "warren-bench-"));
  const prefix = process.env.BENCH_PREFIX ?? `smoke${process.pid}`;
  try {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/index.ts", "--smoke", `--out=${out}`], {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_PORT: process.env.BENCH_PORT ?? "3400",
        BENCH_PREFIX: prefix,
        NEXT_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    assert.equal(code, 0, `bench --smoke failed:\n${output}`);
    assert.match(output, /\| Part\s+\| Value/, "prints the table");

    const file = join(out, "latest-smoke.json");
    assert.ok(existsSync(file), "writes bench-results JSON");
    const { results, targets, table } = JSON.parse(readFileSync(file, "utf8"));

    assert.ok(results.raw.publishPerSecond > 0 && results.raw.endToEndPerSecond > 0, "raw amqplib baseline measured");
    assert.ok(results.noop.ok > 0 && results.seed.ok > 0, "noop route and seed service both answered");
    assert.ok(results.seed.messages.messages > 0, "the seed service's orders reached its queue");
    for (const intake of [results.api, results.action]) {
      assert.ok(intake.ok > 0, `${intake.label} placed orders`);
      assert.equal(intake.non2xx, 0, `${intake.label} answered every order with 2xx`);
      assert.equal(intake.verified, true, `${intake.label}: every accepted order is paid in the ledger`);
      assert.equal(intake.paymentsRecorded, intake.ordersConfirmed);
      assert.ok(intake.ordersConfirmed >= intake.ok, "the server confirmed at least what the clients saw");
    }
    for (const row of results.latency) {
      assert.ok(row.latency.n > 0 && row.unmatched === 0, `payments seen on SSE at ${row.rate}/s`);
      assert.ok(row.latency.p50 > 0);
    }
    assert.equal(results.fan.connected, results.fan.clients, "every SSE client subscribed");
    assert.equal(results.fan.missing, 0, "every client got every fan-out event");
    assert.ok(results.fan.fanOut.n >= results.fan.clients, "fan-out arrivals timed");
    // Read from the server's GET /api/metrics: the sampler ticks, every stream is counted, memory is known.
    assert.ok(results.fan.idle.samplesPerSecond > 0, "queue samples counted from /api/metrics");
    assert.ok(results.fan.loaded.sseClients >= results.fan.clients, "SSE clients counted from /api/metrics");
    assert.ok(results.fan.rssBeforeMb > 0, "server memory read from /api/metrics");
    assert.ok(results.depth.dashboardSamples > 0 && results.depth.dashboard.n > 0, "depth lag measured");
    assert.ok(
      results.browser.firstLoadJs.files > 0 && results.browser.firstLoadJs.gzipKb > 0,
      "first-load JS measured",
    );
    assert.ok(results.browser.streaming.frames > 0 && results.browser.streaming.paidPerSecond > 0, "render measured");
    assert.ok(results.browser.streaming.feedRows <= 100, "the payments feed stays bounded");
    assert.ok(Array.isArray(table) && table.length > 10 && targets.length >= 8, "table and target checks in the JSON");
  } finally {
    rmSync(out, { recursive: true, force: true });
    for (const name of [`${prefix}-bench.db`, `${prefix}-split.db`]) {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(join(ROOT, "data", name + suffix), { force: true });
    }
  }
});
