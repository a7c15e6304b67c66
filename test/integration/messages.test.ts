import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from "amqplib";
import { parse } from "csv-parse/sync";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { isWarrenError } from "../../lib/errors";
import { exportMessages, MESSAGE_COLUMNS } from "../../lib/messages/export";
import { parseFilter } from "../../lib/messages/filter";
import { type MoveEvent, moveMessages } from "../../lib/messages/move";
import { assertReadable, queueFacts, readingCost } from "../../lib/messages/read";
import { type SearchEvent, searchQueue } from "../../lib/messages/search";
import { rowEncoder } from "../../lib/messages/stream";
import { ManagementClient } from "../../lib/queues/management";
import { AMQP_URL, MANAGEMENT_URL, needsManagement } from "./harness";

/**
 * Search, move/copy and export on the real broker, each on queues of its own. Counts are taken
 * over AMQP (checkQueue answers at once) and by draining, never by timing.
 */
const suffix = `${process.pid}.${Date.now()}`;
const name = (label: string) => `test.messages.${label}.${suffix}`;

describe("messages: search, move/copy, export on the real broker", () => {
  let link: BrokerLink;
  let publisher: ConfirmPublisher;
  let raw: ChannelModel;
  let ch: ConfirmChannel;
  const queues: string[] = [];

  before(async () => {
    link = await new BrokerLink({ url: AMQP_URL, name: "test-messages", queues: [] }).start();
    publisher = new ConfirmPublisher(link);
    raw = await amqp.connect(AMQP_URL);
    ch = await raw.createConfirmChannel();
    await publisher.whenReady(5000);
  });
  after(async () => {
    for (const q of queues) await ch.deleteQueue(q).catch(() => {});
    await raw.close().catch(() => {});
    await link.close();
  });

  async function queue(label: string, args: Record<string, unknown> = {}): Promise<string> {
    const q = name(label);
    queues.push(q);
    await ch.assertQueue(q, { durable: true, arguments: args });
    return q;
  }
  const depth = async (q: string) => (await ch.checkQueue(q)).messageCount;
  const model = () => {
    const m = link.current();
    assert.ok(m, "the link is up");
    return m;
  };

  async function seed(q: string, count: number, make: (i: number) => { body: unknown; headers?: object }) {
    for (let i = 0; i < count; i++) {
      const { body, headers } = make(i);
      ch.sendToQueue(q, Buffer.from(typeof body === "string" ? body : JSON.stringify(body)), {
        messageId: `m-${i}`,
        headers,
        contentType: "application/json",
      });
      if (i % 1000 === 999) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
  }

  async function drainIds(q: string): Promise<string[]> {
    const ids: string[] = [];
    const c: Channel = await raw.createChannel();
    for (;;) {
      const m = await c.get(q, { noAck: true });
      if (m === false) break;
      ids.push(String(m.properties.messageId));
    }
    await c.close();
    return ids;
  }

  async function collect<E>(events: AsyncGenerator<E>): Promise<E[]> {
    const out: E[] = [];
    for await (const e of events) out.push(e);
    return out;
  }

  // 5,000 messages: every 50th is a book with quantity 5 (100 matches); every 10th otherwise a book with quantity 2.
  const isMatch = (i: number) => i % 50 === 7;
  let searchQ: string;
  before(async () => {
    searchQ = await queue("search");
    await seed(searchQ, 5000, (i) => ({
      body: {
        orderId: `o-${i}`,
        item: isMatch(i) || i % 10 === 3 ? "book" : "pen",
        quantity: isMatch(i) ? 5 : i % 10 === 3 ? 2 : (i % 9) + 4,
        note: i === 4242 ? "the needle-in-a-haystack" : "hay",
      },
      headers: i % 100 === 0 ? { "x-tenant": "acme" } : {},
    }));
    assert.equal(await depth(searchQ), 5000);
  });

  it("search over 5,000 messages finds exactly the seeded matches and leaves all 5,000 in the queue", async () => {
    const events = await collect(
      searchQueue(model(), searchQ, {
        filter: parseFilter('item = "book" and quantity > 3'),
        limit: 5000,
        depth: 5000,
      }),
    );
    const matches = events.filter((e): e is Extract<SearchEvent, { type: "match" }> => e.type === "match");
    const done = events.at(-1);
    assert.equal(done?.type, "done");
    assert.ok(done?.type === "done");
    assert.equal(done.read, 5000);
    assert.equal(done.matched, 100);
    assert.equal(done.cancelled, false);
    const expected = Array.from({ length: 5000 }, (_, i) => i)
      .filter(isMatch)
      .map((i) => `m-${i}`);
    assert.deepEqual(matches.map((m) => m.message.messageId).sort(), expected.sort());
    assert.ok(
      events.some((e) => e.type === "progress" && e.read === 2500),
      "progress is streamed as it reads",
    );
    assert.equal(await depth(searchQ), 5000, "every message read went back");
  });

  it("searches a substring, a header and a property", async () => {
    const run = async (filter: string) => {
      const events = await collect(
        searchQueue(model(), searchQ, { filter: parseFilter(filter), limit: 5000, depth: 5000 }),
      );
      return events.filter((e) => e.type === "match").map((e) => (e.type === "match" ? e.message.messageId : null));
    };
    assert.deepEqual(await run("needle-in-a"), ["m-4242"]);
    assert.equal((await run('headers.x-tenant = "acme"')).length, 50);
    assert.deepEqual(await run('properties.messageId = "m-17"'), ["m-17"]);
    assert.equal(await depth(searchQ), 5000);
  });

  it("cancel stops reading early and requeues what was taken", async () => {
    const abort = new AbortController();
    let done: SearchEvent | undefined;
    for await (const event of searchQueue(model(), searchQ, {
      filter: parseFilter("hay"),
      limit: 5000,
      depth: 5000,
      signal: abort.signal,
    })) {
      if (event.type === "progress" && event.read >= 300) abort.abort();
      done = event;
    }
    assert.ok(done?.type === "done");
    assert.equal(done.cancelled, true);
    assert.ok(done.read < 5000, `stopped early (read ${done.read})`);
    assert.equal(await depth(searchQ), 5000);
  });

  it("moves 1,000 messages with 0 lost and 0 doubled, rate-limited, with progress", async () => {
    const from = await queue("move-from");
    const to = await queue("move-to");
    await seed(from, 1000, (i) => ({ body: { n: i } }));
    const events = await collect(
      moveMessages(model(), publisher, from, {
        mode: "move",
        target: { queue: to },
        selection: { all: true },
        limit: 10_000,
        ratePerSecond: 10_000,
        depth: 1000,
      }),
    );
    const done = events.at(-1) as Extract<MoveEvent, { type: "done" }>;
    assert.equal(done.type, "done");
    assert.equal(done.done, 1000);
    assert.equal(done.failed, 0);
    assert.ok(events.some((e) => e.type === "progress" && e.read === 500));
    assert.equal(await depth(from), 0, "nothing left on the source");
    const ids = await drainIds(to);
    assert.equal(ids.length, 1000, "nothing doubled or lost on the target");
    assert.equal(new Set(ids).size, 1000);
    assert.deepEqual(new Set(ids), new Set(Array.from({ length: 1000 }, (_, i) => `m-${i}`)));
  });

  it("copies a search result to an exchange + routing key and keeps the source", async () => {
    const from = await queue("copy-from");
    const to = await queue("copy-to");
    const exchange = `test.messages.x.${suffix}`;
    await ch.assertExchange(exchange, "direct", { autoDelete: true });
    await ch.bindQueue(to, exchange, "retry");
    await seed(from, 200, (i) => ({ body: { item: i % 4 === 0 ? "book" : "pen", quantity: i } }));
    const events = await collect(
      moveMessages(model(), publisher, from, {
        mode: "copy",
        target: { exchange, routingKey: "retry" },
        selection: { filter: parseFilter('item = "book" and quantity >= 100') },
        limit: 10_000,
        ratePerSecond: 1000,
        depth: 200,
      }),
    );
    const done = events.at(-1) as Extract<MoveEvent, { type: "done" }>;
    assert.equal(done.done, 25);
    assert.equal(await depth(from), 200, "a copy leaves the source whole");
    const ids = await drainIds(to);
    assert.deepEqual(ids.sort(), Array.from({ length: 25 }, (_, k) => `m-${100 + 4 * k}`).sort());
    await ch.deleteExchange(exchange).catch(() => {});
  });

  it("a move whose publishes are unroutable moves nothing and loses nothing", async () => {
    const from = await queue("unroutable-from");
    const exchange = `test.messages.nowhere.${suffix}`;
    await ch.assertExchange(exchange, "direct", { autoDelete: false });
    try {
      await seed(from, 30, (i) => ({ body: { n: i } }));
      const events = await collect(
        moveMessages(model(), publisher, from, {
          mode: "move",
          target: { exchange, routingKey: "no-binding" },
          selection: { all: true },
          limit: 100,
          ratePerSecond: 1000,
          depth: 30,
        }),
      );
      const done = events.at(-1) as Extract<MoveEvent, { type: "done" }>;
      assert.equal(done.done, 0);
      assert.equal(done.failed, 30);
      assert.match(done.errors[0] ?? "", /No queue is bound/);
      assert.equal(await depth(from), 30, "every source copy stayed");
    } finally {
      await ch.deleteExchange(exchange).catch(() => {});
    }
  });

  it("moves a selection by id and stops reading once every id is found", async () => {
    const from = await queue("select-from");
    const to = await queue("select-to");
    await seed(from, 50, (i) => ({ body: { n: i } }));
    const picked = await collect(searchQueue(model(), from, { filter: parseFilter("n = 3"), limit: 50, depth: 50 }));
    const id = picked.find((e) => e.type === "match")?.message.id;
    assert.ok(id);
    const events = await collect(
      moveMessages(model(), publisher, from, {
        mode: "move",
        target: { queue: to },
        selection: { ids: [id] },
        limit: 50,
        ratePerSecond: 100,
        depth: 50,
      }),
    );
    const done = events.at(-1) as Extract<MoveEvent, { type: "done" }>;
    assert.equal(done.done, 1);
    assert.equal(done.read, 4, "stopped at the last selected message");
    assert.equal(await depth(from), 49);
    assert.deepEqual(await drainIds(to), ["m-3"]);
  });

  it("exports round-trip through JSON Lines and CSV, commas, quotes and newlines included", async () => {
    const q = await queue("export");
    const tricky = ["plain", "a, comma", 'say "hi"', "two\nlines", 'all, of "it"\r\nhere', "ünïcode ✓"];
    await seed(q, tricky.length, (i) => ({ body: { text: tricky[i] }, headers: { "x-note": tricky[i] } }));
    const rows: Record<string, unknown>[] = [];
    for await (const row of exportMessages(model(), q, { all: true }, 100)) rows.push(row);
    assert.equal(rows.length, tricky.length);
    assert.equal(await depth(q), tricky.length, "an export hands every message back");

    const jsonl = rows.map(rowEncoder("jsonl", MESSAGE_COLUMNS)).join("");
    const back = jsonl
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { body: string; headers: Record<string, string> });
    assert.deepEqual(
      back.map((r) => JSON.parse(r.body).text),
      tricky,
    );
    assert.deepEqual(
      back.map((r) => r.headers["x-note"]),
      tricky,
    );

    const encode = rowEncoder("csv", MESSAGE_COLUMNS);
    const csv = rows.map(encode).join("");
    const parsed = parse(csv, { columns: true }) as Array<Record<string, string>>;
    assert.equal(parsed.length, tricky.length);
    assert.deepEqual(
      parsed.map((r) => JSON.parse(r.body ?? "").text),
      tricky,
    );
    assert.deepEqual(
      parsed.map((r) => JSON.parse(r.headers ?? "{}")["x-note"]),
      tricky,
    );
    assert.deepEqual(
      parsed.map((r) => r.messageId),
      tricky.map((_, i) => `m-${i}`),
    );
  });

  it("refuses to read a queue with consumers unless confirmed (409 with the reason)", async () => {
    const q = await queue("busy");
    const consumer = await raw.createChannel();
    await consumer.consume(q, () => {}, { noAck: false });
    try {
      const facts = await queueFacts(model(), q, async () => null);
      assert.equal(facts.consumers, 1);
      assert.throws(
        () => assertReadable(facts, false),
        (error: unknown) =>
          isWarrenError(error) &&
          error.status === 409 &&
          /has 1 consumer/.test(error.message) &&
          /confirm/i.test(error.message),
      );
      assert.doesNotThrow(() => assertReadable(facts, true));
    } finally {
      await consumer.close();
    }
  });

  it("on a quorum queue: says each read counts a delivery, and it does (x-delivery-count goes up)", async (t) => {
    const skip = await needsManagement();
    if (skip) return t.skip(skip);
    const q = await queue("quorum", { "x-queue-type": "quorum", "x-delivery-limit": 5 });
    await seed(q, 3, (i) => ({ body: { n: i } }));
    const management = new ManagementClient({ baseUrl: MANAGEMENT_URL, amqpUrl: AMQP_URL });
    const facts = await queueFacts(
      model(),
      q,
      async () => (await management.queueDetail(q)) as Record<string, unknown> | null,
    );
    assert.equal(facts.kind, "quorum");
    assert.equal(facts.deliveryLimit, 5);
    assert.match(readingCost(facts), /delivery-limit of 5/);
    for (let round = 0; round < 2; round++) {
      await collect(searchQueue(model(), q, { filter: parseFilter(""), limit: 10, depth: 3 }));
    }
    assert.equal(await depth(q), 3, "every message read is back before the search ends");
    const c = await raw.createChannel();
    const m = await c.get(q, { noAck: true });
    assert.ok(m);
    assert.equal(m.fields.redelivered, true);
    assert.ok(Number(m.properties.headers?.["x-delivery-count"]) >= 2, "two reads counted two deliveries");
    await c.close();
  });

  it("refuses a stream queue and a missing queue", async () => {
    await assert.rejects(
      queueFacts(model(), name("missing"), async () => null),
      (e: unknown) => isWarrenError(e) && e.status === 404,
    );
    const facts = { queue: "s", depth: 0, consumers: 0, kind: "stream" as const, deliveryLimit: null };
    assert.throws(
      () => assertReadable(facts, true),
      (e: unknown) => isWarrenError(e) && e.status === 400,
    );
  });
});
