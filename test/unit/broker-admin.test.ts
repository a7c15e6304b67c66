import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toChannelRow, toConnectionRow } from "../../lib/broker-admin/connections";
import { alarmsOf, bytes, mergeAlarms, ratesOf, toNodeView } from "../../lib/broker-admin/overview";
import { decodeSegment, nameFromPath, parseVhost } from "../../lib/broker-admin/vhost";

describe("broker overview mapping", () => {
  test("a stopped node has unknown figures, not zeros, and no alarm", () => {
    const node = toNodeView({ name: "rabbit@b", running: false });
    assert.equal(node.running, false);
    assert.equal(node.memUsed, null);
    assert.equal(node.version, null);
    assert.deepEqual(alarmsOf([node]), []);
  });

  test("memory and disk alarms are reported per node with their figures", () => {
    const node = toNodeView({
      name: "rabbit@a",
      running: true,
      mem_used: 200 * 1024 * 1024,
      mem_limit: 100 * 1024 * 1024,
      mem_alarm: true,
      disk_free: 10 * 1024 * 1024,
      disk_free_limit: 50 * 1024 * 1024,
      disk_free_alarm: true,
      applications: [{ name: "rabbit", version: "3.10.8" }],
    });
    assert.equal(node.version, "3.10.8");
    assert.deepEqual(alarmsOf([node]), [
      { kind: "memory", node: "rabbit@a", detail: "memory used 200 MiB ≥ high watermark 100 MiB" },
      { kind: "disk", node: "rabbit@a", detail: "disk free 10 MiB ≤ limit 50 MiB" },
    ]);
  });

  test("alarms come from the live check; the statistics only add their figures", () => {
    const stale = alarmsOf([toNodeView({ name: "rabbit@a", mem_alarm: true, mem_used: 2048, mem_limit: 1024 })]);
    assert.deepEqual(mergeAlarms([], stale), [], "an alarm the check no longer reports is over");
    assert.deepEqual(mergeAlarms([{ node: "rabbit@a", resource: "memory" }], stale), stale);
    assert.deepEqual(mergeAlarms([{ node: "rabbit@b", resource: "disk" }], stale), [
      { kind: "disk", node: "rabbit@b", detail: "disk alarm raised (figures follow with the next statistics)" },
    ]);
  });

  test("rates: missing keys are zero when the broker reports stats, unknown when it reports none", () => {
    assert.deepEqual(ratesOf({ publish_details: { rate: 3.5 } }), {
      published: 3.5,
      delivered: 0,
      acked: 0,
      redelivered: 0,
      deadLettered: null,
    });
    assert.equal(ratesOf(undefined).published, null);
  });

  test("bytes", () => {
    assert.equal(bytes(null), "—");
    assert.equal(bytes(512), "512 B");
    assert.equal(bytes(1536), "1.5 KiB");
  });
});

describe("connections mapping", () => {
  test("client name from user_provided_name, else client properties; peer as host:port", () => {
    const row = toConnectionRow({
      name: "127.0.0.1:5000 -> 127.0.0.1:5672",
      client_properties: { connection_name: "orders-api", product: "amqplib" },
      peer_host: "127.0.0.1",
      peer_port: 5000,
      state: "blocked",
    });
    assert.equal(row.clientName, "orders-api");
    assert.equal(row.peer, "127.0.0.1:5000");
    assert.equal(row.state, "blocked");
    assert.equal(row.channels, null);
  });

  test("channel modes", () => {
    const channel = toChannelRow({ name: "c (1)", confirm: true, prefetch_count: 10 });
    assert.equal(channel.confirm, true);
    assert.equal(channel.transactional, false);
    assert.equal(channel.prefetch, 10);
  });
});

describe("vhost and path parsing", () => {
  test("vhost defaults to /, * means all, too long is a 400", () => {
    assert.equal(parseVhost(null), "/");
    assert.equal(parseVhost(""), "/");
    assert.equal(parseVhost("*"), null);
    assert.equal(parseVhost("shop"), "shop");
    assert.throws(() => parseVhost("v".repeat(256)), { code: "bad_request" });
  });

  test("a page segment is decoded (pages get it encoded); a broken one is kept as it is", () => {
    assert.equal(decodeSegment("127.0.0.1%3A5000%20-%3E%20127.0.0.1%3A5672"), "127.0.0.1:5000 -> 127.0.0.1:5672");
    assert.equal(decodeSegment("%E0%A4%A"), "%E0%A4%A");
  });

  test("a connection name is decoded exactly once", () => {
    const name = "127.0.0.1:5000 -> 127.0.0.1:5672 %41";
    const request = new Request(`http://x/api/broker/connections/${encodeURIComponent(name)}/close`);
    assert.equal(nameFromPath(request, 4), name);
    assert.throws(() => nameFromPath(new Request("http://x/api/broker/connections/%E0%A4%A/close"), 4), {
      code: "bad_request",
    });
  });
});
