import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { createLogger, logTo } from "../../lib/observability/logger";
import { createMetrics, deadLetterReason } from "../../lib/observability/metrics";
import { metricsAllowed, scrape, serveMetrics } from "../../lib/observability/metrics-http";
import { probe, startTimer } from "../../lib/observability/probes";
import { metricValue, parseMetrics } from "../../scripts/bench/metrics";

describe("metrics access", () => {
  it("is open without a token, and needs exactly that bearer token with one", () => {
    assert.equal(metricsAllowed(null, undefined), true);
    const token = "a-long-scrape-token-1234";
    assert.equal(metricsAllowed(null, token), false);
    assert.equal(metricsAllowed("Bearer wrong-token-of-some-length", token), false);
    assert.equal(metricsAllowed(`Basic ${token}`, token), false);
    assert.equal(metricsAllowed(`Bearer ${token}x`, token), false);
    assert.equal(metricsAllowed(`Bearer ${token}`, token), true);
    assert.equal(metricsAllowed(`bearer  ${token}`, token), true);
  });

  it("answers 401 with a challenge, and never the metrics, to a scrape without the token", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      const refused = await scrape(metrics, undefined, "a-long-scrape-token-1234");
      assert.equal(refused.status, 401);
      assert.match(refused.headers["www-authenticate"] ?? "", /^Bearer/);
      assert.doesNotMatch(refused.body, /warren_/);
      const allowed = await scrape(metrics, "Bearer a-long-scrape-token-1234", "a-long-scrape-token-1234");
      assert.equal(allowed.status, 200);
      assert.match(allowed.body, /warren_payments_recorded_total 0/);
    } finally {
      metrics.close();
    }
  });

  it("the worker's endpoint serves /metrics only", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { server, port } = await serveMetrics(metrics, { port: 0, host: "127.0.0.1" });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(metricValue(await parseMetrics(await res.text()), "warren_orders_accepted_total"), 0);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
    } finally {
      server.close();
      metrics.close();
    }
  });
});

describe("metrics registry", () => {
  it("files dead letters under a bounded reason", () => {
    assert.equal(deadLetterReason("conflict: order 1 was already paid with a different body"), "conflict");
    assert.equal(deadLetterReason("not JSON: Unexpected token"), "not_json");
    assert.equal(deadLetterReason("schema: quantity: Quantity must be at least 1"), "schema");
    assert.equal(deadLetterReason("message too large: 70000 bytes (limit 65536)"), "too_large");
    assert.equal(deadLetterReason("handler failed 3 times: disk I/O error"), "handler_failed");
    assert.equal(deadLetterReason("something new"), "other");
  });

  it("counts unaccounted and paid-twice orders from the books, and says NaN while they are unknown", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let latest: { difference: number | null; paidTwice: string[] } | null = null;
    metrics.attach({ books: () => ({ latest }) });
    try {
      assert.ok(Number.isNaN(metricValue(await parseMetrics(await metrics.text()), "warren_books_unaccounted")));
      latest = { difference: 2, paidTwice: ["o-1"] };
      assert.equal(metricValue(await parseMetrics(await metrics.text()), "warren_books_unaccounted"), 3);
      latest = { difference: null, paidTwice: [] };
      assert.ok(Number.isNaN(metricValue(await parseMetrics(await metrics.text()), "warren_books_unaccounted")));
    } finally {
      metrics.close();
    }
  });

  it("counts the alerts firing now by rule, and none before the first read", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let state = { at: 0, firing: [] as Array<{ rule: string }> };
    metrics.attach({ alerts: () => ({ latest: () => state }) });
    try {
      assert.equal(metricValue(await parseMetrics(await metrics.text()), "warren_alerts_firing"), null);
      state = { at: 1, firing: [{ rule: "queue-idle" }, { rule: "queue-idle" }, { rule: "books" }] };
      const scraped = await parseMetrics(await metrics.text());
      assert.equal(metricValue(scraped, "warren_alerts_firing", { rule: "queue-idle" }), 2);
      assert.equal(metricValue(scraped, "warren_alerts_firing", { rule: "books" }), 1);
      state = { at: 2, firing: [] };
      assert.equal(
        metricValue(await parseMetrics(await metrics.text()), "warren_alerts_firing", { rule: "books" }),
        null,
      );
    } finally {
      metrics.close();
    }
  });

  it("reads the outbox's backlog at scrape time, and survives a database that cannot answer", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    // Fixed before the scrape: the gauge reads its clock before it asks for the backlog, so an age taken
    // from a clock read inside the fake could come out a millisecond under 5 s.
    const oldestCreatedAt = Date.now() - 5_000;
    let backlog = () => ({ pending: 3, oldestCreatedAt });
    const stats = { accepted: 7, published: 4, failedAttempts: 2, recovered: 0 };
    metrics.attach({ outbox: () => ({ stats, backlog: () => backlog() }) });
    try {
      let parsed = await parseMetrics(await metrics.text());
      assert.equal(metricValue(parsed, "warren_outbox_pending"), 3);
      const age = metricValue(parsed, "warren_outbox_oldest_age_seconds") ?? 0;
      assert.ok(age >= 5 && age < 60, `oldest age ${age} s`);
      assert.equal(metricValue(parsed, "warren_orders_accepted_total"), 7);
      assert.equal(metricValue(parsed, "warren_order_publish_failures_total"), 2);
      backlog = () => {
        throw new Error("database is locked");
      };
      parsed = await parseMetrics(await metrics.text());
      assert.equal(metricValue(parsed, "warren_outbox_pending"), 3, "the last value stays");
      assert.equal(metricValue(parsed, "warren_orders_confirmed_total"), 4, "the rest is still scraped");
    } finally {
      metrics.close();
    }
  });

  it("observes the parts' timings while open, and stops listening when closed", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    probe.commit("ledger_batch", startTimer());
    probe.fsync(startTimer());
    probe.orderConfirmed(1_000, 1_250);
    const parsed = await parseMetrics(await metrics.text());
    assert.equal(metricValue(parsed, "warren_db_commit_seconds", { tx: "ledger_batch" }), 1);
    assert.equal(metricValue(parsed, "warren_db_fsync_seconds"), 1);
    const confirm = parsed.warren_order_confirm_seconds?.data[0];
    assert.ok(confirm && "sum" in confirm);
    assert.equal(confirm.sum, 0.25);
    metrics.close();
    const fresh = createMetrics({ defaultMetrics: false });
    try {
      // The closed registry no longer subscribes; only the open one sees this.
      probe.fsync(startTimer());
      assert.equal(metricValue(await parseMetrics(await fresh.text()), "warren_db_fsync_seconds"), 1);
    } finally {
      fresh.close();
    }
  });
});

describe("the test's Prometheus parser", () => {
  it("reads prom-client's NaN and labelled histograms, and refuses lines it cannot read", async () => {
    const parsed = await parseMetrics(
      [
        "# TYPE lag gauge",
        "lag Nan",
        "# TYPE h histogram",
        'h_bucket{le="1",tx="a"} 1',
        'h_bucket{le="+Inf",tx="a"} 2',
        'h_sum{tx="a"} 3',
        'h_count{tx="a"} 2',
        'h_bucket{le="1",tx="b"} 0',
        'h_bucket{le="+Inf",tx="b"} 5',
        'h_sum{tx="b"} 9',
        'h_count{tx="b"} 5',
      ].join("\n"),
    );
    assert.ok(Number.isNaN(metricValue(parsed, "lag")));
    assert.equal(metricValue(parsed, "h", { tx: "a" }), 2);
    assert.equal(metricValue(parsed, "h", { tx: "b" }), 5);
    await assert.rejects(parseMetrics("# TYPE a counter\na_total one"), /Unable to parse/);
    await assert.rejects(parseMetrics("# TYPE a counter\na_total{x=} 1"), /label/);
  });
});

describe("observability settings", () => {
  it("are parsed by the env schema: a wrong one names the variable, the token is never echoed", () => {
    const env = parseEnv({});
    assert.equal(env.LOG_LEVEL, "info");
    assert.equal(env.WORKER_METRICS_PORT, 9464);
    assert.equal(env.WARREN_METRICS_TOKEN, undefined);
    assert.equal(parseEnv({ LOG_LEVEL: "debug", WORKER_METRICS_PORT: "0" }).WORKER_METRICS_PORT, 0);
    assert.throws(() => parseEnv({ LOG_LEVEL: "loud" }), /LOG_LEVEL: expected one of fatal, error/);
    assert.throws(() => parseEnv({ WORKER_METRICS_PORT: "70000" }), /WORKER_METRICS_PORT/);
    assert.throws(
      () => parseEnv({ WARREN_METRICS_TOKEN: "short-secret" }),
      (error: Error) => /WARREN_METRICS_TOKEN/.test(error.message) && !error.message.includes("short-secret"),
    );
  });
});

describe("logger", () => {
  it("the process's logger writes from LOG_LEVEL up, as JSON when stdout is not a terminal", () => {
    const script = [
      'import { partLogger } from "./lib/observability/logger";',
      'partLogger("outbox").info("not at warn");',
      'partLogger("outbox").warn("written at warn");',
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, LOG_LEVEL: "warn" },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, run.stdout);
    assert.deepEqual(
      (({ level, part, msg }) => ({ level, part, msg }))(JSON.parse(lines[0] ?? "") as Record<string, unknown>),
      { level: 40, part: "outbox", msg: "written at warn" },
    );
  });

  it("writes one JSON object per line with the level and the part, and honours the level", () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
    const root = createLogger({ level: "info", destination: out, pretty: false });
    const log = logTo(root.child({ part: "consumer" }));
    log("[payments] consuming q");
    log("[payments] could not dead-letter", "error");
    root.child({ part: "consumer" }).debug("not written at info");
    const entries = lines.map((line) => JSON.parse(line) as { level: number; part: string; msg: string });
    assert.deepEqual(
      entries.map(({ level, part, msg }) => ({ level, part, msg })),
      [
        { level: 30, part: "consumer", msg: "[payments] consuming q" },
        { level: 50, part: "consumer", msg: "[payments] could not dead-letter" },
      ],
    );
  });
});
