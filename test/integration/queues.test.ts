import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import amqp, { type ChannelModel } from "amqplib";
import { listQueues, parseQueueListQuery, type QueueListQuery } from "../../lib/queues/list";
import { ManagementClient } from "../../lib/queues/management";
import { closedPort } from "../helpers/ports";
import { AMQP_URL, MANAGEMENT_URL, needsManagement, waitFor } from "./harness";

const PREFIX = `h3a.it.${process.pid}.`;
const COUNT = 1000;

const query = (overrides: Record<string, string> = {}): QueueListQuery => {
  const parsed = parseQueueListQuery(overrides);
  assert.equal(parsed.ok, true, JSON.stringify(parsed));
  return parsed.query;
};

const skipWithoutManagement = await needsManagement();

describe("queues page data: management API path with 1,000 queues", { skip: skipWithoutManagement }, () => {
  let connection: ChannelModel;
  const management = new ManagementClient({ baseUrl: MANAGEMENT_URL, amqpUrl: AMQP_URL, timeoutMs: 5000 });
  const names = Array.from({ length: COUNT }, (_, i) => `${PREFIX}${String(i).padStart(4, "0")}`);
  const sources = () => ({ management, amqp: () => connection, ownQueues: [names[0] as string] });

  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const name of names) {
      // Auto-delete is no use here (no consumer ever attaches); the after() hook deletes them.
      await channel.assertQueue(name, {
        durable: false,
        arguments: name.endsWith("0007") ? { "x-dead-letter-exchange": "h3a.dlx" } : undefined,
      });
    }
    // A few queues with messages, to sort by depth.
    for (const [index, depth] of [
      [10, 3],
      [20, 7],
      [30, 5],
    ] as const) {
      for (let i = 0; i < depth; i++) channel.sendToQueue(names[index] as string, Buffer.from("{}"));
    }
    await channel.close();
    // The management API learns of new queues within a statistics interval.
    await waitFor(
      async () => {
        const page = await management.listQueues({ page: 1, pageSize: 25, name: PREFIX, sort: "name", reverse: false });
        return page.filtered_count === COUNT;
      },
      30_000,
      "the management API to list all test queues",
      500,
    );
  });

  after(async () => {
    const channel = await connection.createChannel();
    for (const name of names) await channel.deleteQueue(name).catch(() => {});
    await connection.close();
  });

  // How fast a page comes back is the bench's figure; this asserts what comes back.
  test("one page comes back sorted and counted by the broker", async () => {
    const started = performance.now();
    const result = await listQueues(query({ name: PREFIX, size: "100", page: "3" }), sources());
    const ms = performance.now() - started;
    console.log(`# page 3 of ${COUNT} queues (100 per page): ${ms.toFixed(0)} ms`);
    assert.equal(result.mode, "management");
    assert.equal(result.filteredCount, COUNT);
    assert.ok(result.totalCount >= COUNT);
    assert.equal(result.pageCount, 10);
    assert.equal(result.rows.length, 100);
    assert.deepEqual(
      result.rows.map((r) => r.name),
      names.slice(200, 300),
    );
    const row = result.rows[0];
    assert.equal(row?.type, "classic");
    // Counts of a queue this new may still be absent (the broker has not collected its stats yet): null, not 0.
    assert.ok(row?.consumers === null || row?.consumers === 0);
  });

  test("sorting by depth and filtering by name happen on the broker", async () => {
    await waitFor(
      async () => {
        // The broker's statistics arrive queue by queue: wait until all three deep queues are counted.
        const result = await listQueues(query({ name: PREFIX, sort: "total", dir: "desc", size: "25" }), sources());
        return (
          result.rows
            .slice(0, 3)
            .map((r) => r.name)
            .join() === [names[20], names[30], names[10]].join()
        );
      },
      20_000,
      "depth statistics",
      500,
    );
    const result = await listQueues(query({ name: PREFIX, sort: "total", dir: "desc", size: "25" }), sources());
    assert.deepEqual(
      result.rows.slice(0, 3).map((r) => [r.name, r.total]),
      [
        [names[20], 7],
        [names[30], 5],
        [names[10], 3],
      ],
    );
    const filtered = await listQueues(query({ name: `${PREFIX}099` }), sources());
    assert.equal(filtered.filteredCount, 10);
    assert.ok(filtered.rows.every((r) => r.name.startsWith(`${PREFIX}099`)));
  });

  test("the dead-letter target comes from queue arguments", async () => {
    const result = await listQueues(query({ name: `${PREFIX}0007` }), sources());
    assert.deepEqual(result.rows[0]?.deadLetter, { exchange: "h3a.dlx", routingKey: null, source: "arguments" });
    assert.equal(result.rows[0]?.warren, false);
  });

  test("a page past the end falls back to the first page instead of failing", async () => {
    const result = await listQueues(query({ name: PREFIX, size: "500", page: "9" }), sources());
    assert.equal(result.query.page, 1);
    assert.equal(result.rows.length, 500);
  });
});

describe("queues page data: AMQP fallback when management is unreachable", () => {
  test("lists Warren's own queues with live depth and says limited mode", async () => {
    const connection = await amqp.connect(AMQP_URL);
    const queue = `${PREFIX}fallback`;
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: false });
      for (let i = 0; i < 4; i++) channel.sendToQueue(queue, Buffer.from("{}"));
      await channel.waitForConfirms();
      // A port nobody listens on: a refused connection, like a disabled plugin.
      const management = new ManagementClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, amqpUrl: AMQP_URL });
      const result = await listQueues(query(), {
        management,
        amqp: () => connection,
        ownQueues: [queue, `${queue}.missing`],
      });
      assert.equal(result.mode, "limited");
      assert.match(result.limitedReason ?? "", /unreachable \(ECONNREFUSED\)/);
      const byName = new Map(result.rows.map((r) => [r.name, r]));
      assert.equal(byName.get(queue)?.ready, 4, "depth comes from AMQP checkQueue at once");
      assert.equal(byName.get(queue)?.consumers, 0);
      assert.equal(byName.get(`${queue}.missing`)?.state, "missing");
      assert.equal(byName.get(queue)?.publishRate, null, "no rates without management");
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });

  test("wrong management credentials also fall back", { skip: skipWithoutManagement }, async () => {
    const connection = await amqp.connect(AMQP_URL);
    try {
      const management = new ManagementClient({
        baseUrl: MANAGEMENT_URL,
        amqpUrl: AMQP_URL,
        user: "guest",
        password: "definitely-wrong",
      });
      const result = await listQueues(query(), { management, amqp: () => connection, ownQueues: [] });
      assert.equal(result.mode, "limited");
      assert.match(result.limitedReason ?? "", /401/);
    } finally {
      await connection.close();
    }
  });
});
