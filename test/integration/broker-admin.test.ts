import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import amqp, { type ChannelModel } from "amqplib";
import { PrivateBroker, privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";

/**
 * The broker views against a real private node with the management plugin
 * (never the shared broker: this suite raises a memory alarm and closes
 * connections): overview, a live alarm with a blocked publisher, a
 * connection's channels, an audited close, and limited mode.
 */
const skip = privateBrokerSkipReason();
const port = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
const managementPort = port + 10_000;
const broker = skip ? null : new PrivateBroker({ port, managementPort });
const dir = mkdtempSync(join(tmpdir(), "warren-broker-admin-"));
process.env.ORDER_QUEUE = `it.broker-admin.${process.pid}`;
process.env.WARREN_DB_PATH = join(dir, "warren.db");
process.env.AMQP_URL = broker?.url ?? "amqp://127.0.0.1:9";
process.env.RABBITMQ_MANAGEMENT_URL = `http://127.0.0.1:${managementPort}`;

type Overview = typeof import("../../lib/broker-admin/overview");
type Connections = typeof import("../../lib/broker-admin/connections");
type Monitor = typeof import("../../lib/broker-admin/alarm-monitor");
type Close = typeof import("../../lib/broker-admin/close-connection");
type Management = typeof import("../../lib/queues/management");
type Exchanges = typeof import("../../lib/broker-admin/exchanges");
type TopologyModule = typeof import("../../lib/broker-admin/topology");

const operator = {
  access: {
    user: { id: 1, name: "it-operator", role: "operator" as const },
    sessionId: "it-session",
    role: "operator" as const,
    canAct: true,
    reason: null,
    signInEnabled: true,
  },
};
const viewer = {
  access: {
    user: null,
    sessionId: null,
    role: "viewer" as const,
    canAct: false,
    reason: "Sign in as an operator to act.",
    signInEnabled: true,
  },
};

describe("broker views on a private node with the management plugin", { skip: skip || false }, () => {
  let overview: Overview;
  let connections: Connections;
  let monitorModule: Monitor;
  let close: Close;
  let exchanges: Exchanges;
  let topology: TopologyModule;
  let management: InstanceType<Management["ManagementClient"]>;
  let ManagementClient: Management["ManagementClient"];
  const opened: ChannelModel[] = [];
  // The process itself (audit log, management client for the operator action), on the private node.
  let warren: { close(): Promise<void> } | null = null;

  const connect = async (name: string) => {
    const connection = await amqp.connect(broker?.url as string, { clientProperties: { connection_name: name } });
    connection.on("error", () => {});
    opened.push(connection);
    return connection;
  };
  const rowOf = async (client: string) =>
    (await connections.listConnections(management, "/")).connections.find((c) => c.clientName === client);

  before(async () => {
    await broker?.start();
    overview = await import("../../lib/broker-admin/overview");
    connections = await import("../../lib/broker-admin/connections");
    monitorModule = await import("../../lib/broker-admin/alarm-monitor");
    close = await import("../../lib/broker-admin/close-connection");
    exchanges = await import("../../lib/broker-admin/exchanges");
    topology = await import("../../lib/broker-admin/topology");
    ({ ManagementClient } = await import("../../lib/queues/management"));
    warren = (await import("../../lib/process")).startWarren("web");
    management = new ManagementClient({
      baseUrl: process.env.RABBITMQ_MANAGEMENT_URL as string,
      amqpUrl: broker?.url as string,
      timeoutMs: 5000,
    });
    await waitFor(
      // A fresh node reports its figures (memory, disk, fds) a statistics interval after it starts.
      async () => (await overview.brokerOverview(management)).nodes[0]?.memUsed != null,
      60_000,
      "the private node's management API and first node statistics",
      250,
    );
  });

  after(async () => {
    for (const connection of opened) await connection.close().catch(() => {});
    await warren?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("overview: the node with its limits, no alarm, totals and rates", async () => {
    const started = performance.now();
    const result = await overview.brokerOverview(management);
    console.log(
      `# overview (nodes, overview, alarm check: 3 API calls): ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.equal(result.mode, "management");
    assert.equal(result.nodes.length, 1);
    const node = result.nodes[0];
    assert.equal(node?.name, broker?.nodeName);
    assert.equal(node?.running, true);
    assert.match(node?.version ?? "", /^\d+\.\d+\.\d+/);
    assert.ok((node?.memUsed ?? 0) > 0 && (node?.memLimit ?? 0) > (node?.memUsed ?? 0));
    assert.ok((node?.diskFree ?? 0) > (node?.diskFreeLimit ?? 0));
    assert.ok((node?.fdTotal ?? 0) > 0 && (node?.procUsed ?? 0) > 0 && (node?.socketsTotal ?? 0) > 0);
    assert.ok((node?.uptimeMs ?? 0) > 0);
    assert.deepEqual(result.alarms, []);
    assert.equal(typeof result.totals.exchanges, "number");
    assert.equal(typeof result.rates.published, "number");
  });

  test("a memory alarm: the monitor reports it, a publisher shows as blocked, and both clear", async () => {
    const monitor = new monitorModule.AlarmMonitor(management, undefined, 200).start();
    const seen: string[][] = [];
    monitor.on("alarms", (state) => seen.push(state.alarms.map((a: { kind: string }) => a.kind)));
    // Connected earlier and never publishing: listed after the blocked one all the same.
    await connect("it-idle-early");
    const publisher = await connect("it-blocked-publisher");
    let blockedReason: string | null = null;
    publisher.on("blocked", (reason: string) => {
      blockedReason = reason;
    });
    const channel = await publisher.createChannel();
    try {
      await waitFor(() => monitor.latest().source === "management", 10_000, "the monitor's first poll");
      await broker?.ctl("set_vm_memory_high_watermark", "0.0001");
      const raisedAt = performance.now();
      await waitFor(() => monitor.latest().alarms.some((a) => a.kind === "memory"), 20_000, "the memory alarm", 100);
      console.log(`# alarm seen by the monitor ${(performance.now() - raisedAt).toFixed(0)} ms after it was raised`);
      assert.equal(monitor.latest().alarms[0]?.node, broker?.nodeName);
      // The figures (used vs watermark) follow with the node statistics.
      await waitFor(
        () => /high watermark/.test(monitor.latest().alarms[0]?.detail ?? ""),
        20_000,
        "the alarm's figures",
        100,
      );
      assert.deepEqual(
        (await overview.brokerOverview(management)).alarms.map((a) => a.kind),
        ["memory"],
      );
      // A publish is what makes the broker block a connection.
      channel.sendToQueue("amq.rabbitmq.none", Buffer.from("held"));
      await waitFor(() => blockedReason !== null, 10_000, "connection.blocked on the publisher");
      await waitFor(
        async () => (await rowOf("it-blocked-publisher"))?.state === "blocked",
        20_000,
        "state blocked",
        250,
      );
      // Blocked connections come first in the list.
      const list = await connections.listConnections(management, "/");
      assert.equal(list.connections[0]?.clientName, "it-blocked-publisher");
    } finally {
      await broker?.ctl("set_vm_memory_high_watermark", "0.4");
    }
    await waitFor(() => monitor.latest().alarms.length === 0, 20_000, "the alarm to clear", 100);
    await waitFor(async () => (await rowOf("it-blocked-publisher"))?.state === "running", 20_000, "running again", 250);
    monitor.stop();
    assert.deepEqual(seen.at(-1), []);
    assert.ok(seen.some((kinds) => kinds.includes("memory")));
  });

  test("a connection's channels: prefetch, confirm mode, consumers, unacked", async () => {
    const connection = await connect("it-consumer");
    const confirm = await connection.createConfirmChannel();
    await confirm.prefetch(7);
    const { queue } = await confirm.assertQueue("", { exclusive: true });
    confirm.sendToQueue(queue, Buffer.from("1"));
    confirm.sendToQueue(queue, Buffer.from("2"));
    await confirm.waitForConfirms();
    await confirm.consume(queue, () => {}, { noAck: false });
    await waitFor(async () => (await rowOf("it-consumer")) !== undefined, 10_000, "the connection listed", 250);
    const row = await rowOf("it-consumer");
    await waitFor(
      async () => {
        const detail = await connections.connectionDetail(management, row?.name as string);
        const ch = detail.channels[0];
        return ch?.prefetch === 7 && ch.confirm && ch.consumers === 1 && ch.unacked === 2;
      },
      20_000,
      "the channel's statistics",
      250,
    );
    const detail = await connections.connectionDetail(management, row?.name as string);
    assert.equal(detail.connection?.user, "guest");
    assert.equal(detail.connection?.vhost, "/");
    assert.match(detail.connection?.peer ?? "", /^127\.0\.0\.1:\d+$/);
    assert.equal(detail.connection?.protocol, "AMQP 0-9-1");
    assert.equal((await connections.connectionDetail(management, "no such connection")).connection, null);
  });

  test("close with a reason: the client gets it, the audit log records it; viewers are refused", async () => {
    const victim = await connect("it-victim");
    const closed = new Promise<string>((resolve) =>
      victim.on("close", (error?: Error) => resolve(String(error?.message))),
    );
    await waitFor(async () => (await rowOf("it-victim")) !== undefined, 10_000, "the victim listed", 250);
    const name = (await rowOf("it-victim"))?.name as string;
    await assert.rejects(close.closeConnection(viewer, name, "not allowed"), { name: "WarrenError" });
    assert.equal((await rowOf("it-victim"))?.name, name, "a refused close leaves the connection open");
    await close.closeConnection(operator, name, "stuck publisher, restarting it");
    assert.match(await closed, /stuck publisher, restarting it/);
    // The management API drops the connection's record a moment after the client saw the close.
    await waitFor(async () => (await rowOf("it-victim")) === undefined, 10_000, "the closed connection unlisted", 250);
    await assert.rejects(close.closeConnection(operator, name, "again"), { code: "not_found" });
    const { recentAuditByAction } = await import("../../lib/audit");
    const entries = await recentAuditByAction("connection.close", 10);
    assert.deepEqual(
      entries.map((e) => [e.result, e.target]),
      [
        ["error", name],
        ["ok", name],
        ["denied", name],
      ],
    );
    assert.equal(entries[1]?.message, "closed: stuck publisher, restarting it");
    assert.equal(close.closeConnectionSchema.safeParse({ name, reason: "naïve" }).success, false);
  });

  test("bindings and the topology of a queue fed through a topic exchange, with its dead-letter path", async () => {
    const connection = await connect("it-topology");
    const channel = await connection.createChannel();
    // shop.in (fanout) -> orders.topic (topic) -"order.*.eu"-> it.orders -dead-letter-> it.dlx (direct) -"failed"-> it.orders.dlq
    await channel.assertExchange("it.shop.in", "fanout", { durable: false });
    await channel.assertExchange("it.orders.topic", "topic", { durable: false });
    await channel.assertExchange("it.dlx", "direct", { durable: false });
    await channel.assertQueue("it.orders", {
      durable: false,
      arguments: { "x-dead-letter-exchange": "it.dlx", "x-dead-letter-routing-key": "failed" },
    });
    await channel.assertQueue("it.orders.dlq", { durable: false });
    await channel.assertQueue("it.other", { durable: false });
    await channel.bindExchange("it.orders.topic", "it.shop.in", "");
    await channel.bindQueue("it.orders", "it.orders.topic", "order.*.eu");
    await channel.bindQueue("it.orders.dlq", "it.dlx", "failed");
    await channel.bindQueue("it.other", "it.dlx", "other");

    const started = performance.now();
    const graph = await topology.queueTopology(management, "/", "it.orders");
    console.log(`# topology of a queue (6 nodes): ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(graph.exists, true);
    const edges = graph.edges.map((e) => `${e.from} -${e.kind}:${e.label}-> ${e.to}`).sort();
    assert.deepEqual(edges, [
      "q:it.orders -dead-letter:dead-letter (failed) · arguments-> x:it.dlx",
      "x: -binding:it.orders-> q:it.orders",
      "x:it.dlx -dead-letter:failed-> q:it.orders.dlq",
      "x:it.orders.topic -binding:order.*.eu-> q:it.orders",
      "x:it.shop.in -binding:(any)-> x:it.orders.topic",
    ]);
    assert.equal(graph.nodes.find((n) => n.id === "x:it.orders.topic")?.detail, "topic");
    assert.equal(
      graph.nodes.some((n) => n.name === "it.other"),
      false,
      "a binding that does not match is not drawn",
    );

    const detail = await exchanges.exchangeDetail(management, "/", "it.orders.topic");
    assert.equal(detail.exchange?.type, "topic");
    assert.deepEqual(
      detail.outgoing.map((b) => [b.destinationType, b.destination, b.routingKey]),
      [["queue", "it.orders", "order.*.eu"]],
    );
    assert.deepEqual(
      detail.incoming.map((b) => [b.source, b.destination]),
      [["it.shop.in", "it.orders.topic"]],
    );
    const list = await exchanges.listExchanges(management, "/");
    assert.ok(list.exchanges.some((e) => e.name === "" && e.label === "(default exchange)"));
    assert.ok(list.exchanges.some((e) => e.name === "it.dlx" && e.type === "direct" && !e.durable));
    const bindings = await exchanges.queueBindings(management, "/", "it.orders");
    assert.deepEqual(bindings?.map((b) => b.source).sort(), ["", "it.orders.topic"]);
    assert.equal((await topology.queueTopology(management, "/", "it.no-such-queue")).exists, false);
  });

  test("limited mode: no management API means a reason on the page, never a throw", async () => {
    const away = new ManagementClient({ baseUrl: "http://127.0.0.1:9", amqpUrl: broker?.url as string });
    const result = await overview.brokerOverview(away);
    assert.equal(result.mode, "limited");
    assert.match(result.limitedReason ?? "", /unreachable/);
    assert.deepEqual(result.nodes, []);
    const list = await connections.listConnections(away, "/");
    assert.equal(list.mode, "limited");
    const monitor = new monitorModule.AlarmMonitor(away, undefined, 1000);
    const state = await monitor.refresh();
    assert.equal(state.source, "unknown");
    assert.deepEqual(state.alarms, []);
  });
});
