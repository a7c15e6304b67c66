import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AuditLog } from "../../lib/audit/log";
import { controlCommandSchema } from "../../lib/payments/control";
import { deadLetterTargetOf, parseQueueListQuery, toQueueRow } from "../../lib/queues/list";
import { OwnRateMeter } from "../../lib/queues/own-rates";
import { openDb } from "../../lib/store/db";

const dir = mkdtempSync(join(tmpdir(), "warren-queues-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("queue list vhost", () => {
  it("defaults to / and refuses all vhosts at once or a name too long, with a reason", () => {
    const fine = parseQueueListQuery({});
    assert.equal(fine.ok && fine.query.vhost, "/");
    const other = parseQueueListQuery({ vhost: "warren" });
    assert.equal(other.ok && other.query.vhost, "warren");
    const all = parseQueueListQuery({ vhost: "*" });
    assert.equal(all.ok, false);
    assert.deepEqual(!all.ok && all.fieldErrors.vhost, ["pick one vhost"]);
    assert.equal(all.query.vhost, "/");
    const long = parseQueueListQuery({ vhost: "v".repeat(256) });
    assert.equal(long.ok, false);
  });
});

describe("queue list query", () => {
  it("defaults, and reports each bad field with a message", () => {
    const ok = parseQueueListQuery({});
    assert.deepEqual(ok, { ok: true, query: { page: 1, size: 50, name: "", sort: "name", dir: "asc", vhost: "/" } });
    const bad = parseQueueListQuery({ page: "0", size: "7", sort: "evil", dir: "up", name: "ok" });
    assert.equal(bad.ok, false);
    if (bad.ok) return;
    assert.deepEqual(Object.keys(bad.fieldErrors).sort(), ["dir", "page", "size", "sort"]);
    assert.deepEqual(
      bad.query,
      { page: 1, size: 50, name: "ok", sort: "name", dir: "asc", vhost: "/" },
      "defaults where wrong",
    );
    assert.equal(parseQueueListQuery(new URLSearchParams("page=2&sort=publish&dir=desc")).ok, true);
  });
});

describe("dead-letter target", () => {
  it("prefers queue arguments over the effective policy, and reads either", () => {
    assert.deepEqual(
      deadLetterTargetOf({
        arguments: { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "rk" },
        effective_policy_definition: { "dead-letter-exchange": "other" },
      }),
      { exchange: "dlx", routingKey: "rk", source: "arguments" },
    );
    assert.deepEqual(
      deadLetterTargetOf({ arguments: {}, effective_policy_definition: { "dead-letter-exchange": "p" } }),
      {
        exchange: "p",
        routingKey: null,
        source: "policy",
      },
    );
    assert.deepEqual(deadLetterTargetOf({ arguments: { "x-dead-letter-exchange": "" } })?.exchange, "");
    assert.equal(deadLetterTargetOf({ arguments: {}, effective_policy_definition: [] }), null);
  });

  it("maps a management row, with absent rates as zero", () => {
    const row = toQueueRow({ name: "q", messages_ready: 3, consumers: 0 }, new Set(["q"]));
    assert.equal(row.ready, 3);
    assert.equal(row.unacked, null);
    assert.equal(row.publishRate, 0);
    assert.equal(row.warren, true);
  });
});

describe("Warren's own rates", () => {
  it("are the counter deltas over the sampling window", () => {
    const counters = { published: 0, delivered: 0, acked: 0 };
    const meter = new OwnRateMeter(() => counters);
    assert.equal(meter.rates().publish, null, "unknown before two samples");
    meter.sample(0);
    counters.published = 50;
    counters.delivered = 20;
    counters.acked = 10;
    meter.sample(5000);
    assert.deepEqual(
      { ...meter.rates(), totals: undefined },
      { publish: 10, deliver: 4, ack: 2, totals: undefined, windowMs: 5000 },
    );
  });
});

describe("control commands", () => {
  it("accept pause, resume and a bounded prefetch only", () => {
    assert.equal(controlCommandSchema.safeParse({ command: "pause" }).success, true);
    assert.deepEqual(controlCommandSchema.parse({ command: "prefetch", prefetch: "25" }), {
      command: "prefetch",
      prefetch: 25,
    });
    assert.equal(controlCommandSchema.safeParse({ command: "prefetch", prefetch: 0 }).success, false);
    assert.equal(controlCommandSchema.safeParse({ command: "prefetch", prefetch: 1.5 }).success, false);
    assert.equal(controlCommandSchema.safeParse({ command: "shutdown" }).success, false);
  });
});

describe("audit log", () => {
  it("appends entries and lists them newest first, with details", () => {
    const log = new AuditLog(openDb(join(dir, "audit.db")));
    log.record({ actor: "viewer", action: "queue.purge", target: "q", result: "denied", message: "sign in", at: 1 });
    log.record({
      actor: "operator#abc123",
      action: "queue.purge",
      target: "q",
      details: { count: 3 },
      result: "ok",
      message: "purged 3 messages",
      at: 2,
    });
    const entries = log.recent(10);
    assert.equal(log.count(), 2);
    assert.deepEqual(
      entries.map((e) => [e.actor, e.result, e.at]),
      [
        ["operator#abc123", "ok", 2],
        ["viewer", "denied", 1],
      ],
    );
    assert.deepEqual(entries[0]?.details, { count: 3 });
    assert.equal(entries[1]?.details, null);
  });
});
