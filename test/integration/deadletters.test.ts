import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { REDRIVE_COUNT_HEADER } from "../../lib/deadletters/decode";
import { discoverDeadLetterQueues } from "../../lib/deadletters/discover";
import { actOnDeadLetters, browseDeadLetters } from "../../lib/deadletters/workbench";
import { ManagementClient } from "../../lib/queues/management";
import { AMQP_URL, startPipeline, waitFor } from "./harness";

describe("dead-letter workbench (real broker, real consumer, real SQLite)", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  const model = () => pipeline.consumeLink.current();
  const depth = async (queue: string) => (await pipeline.rawChannel.checkQueue(queue)).messageCount;
  const paid = (orderId: string) => pipeline.ledger.recent(500).some((p) => p.orderId === orderId);

  before(async () => {
    pipeline = await startPipeline("dlq");
  });
  after(async () => {
    await pipeline.close();
  });

  async function poison(body: string, messageId: string) {
    const before = await depth(pipeline.dlq);
    await pipeline.send(body, { messageId, contentType: "application/json" });
    await waitFor(async () => (await depth(pipeline.dlq)) > before, 5000, `${messageId} in the DLQ`);
  }

  async function find(messageId: string) {
    const { messages } = await browseDeadLetters(model(), pipeline.dlq);
    return messages.find((m) => m.messageId === messageId);
  }

  it("browsing shows the decoded reason and hands every message back", async () => {
    await poison("{not json", "wb-poison-1");
    const before = await depth(pipeline.dlq);
    const found = await find("wb-poison-1");
    assert.ok(found, "the poison message is listed");
    assert.match(found.reason, /^not JSON: /);
    assert.equal(found.group, "not JSON");
    assert.equal(found.source, "warren");
    assert.equal(found.originalQueue, pipeline.queue);
    assert.equal(found.redriveCount, 0);
    assert.ok(found.deadLetteredAt && Math.abs(found.deadLetteredAt - Date.now()) < 60_000);
    assert.equal(await depth(pipeline.dlq), before, "a browse leaves the DLQ as it was");
    // The id is stable across looks.
    assert.equal((await find("wb-poison-1"))?.id, found.id);
  });

  it("a redrive after editing the body gets the order paid, under a new message id", async () => {
    await poison(JSON.stringify({ orderId: "wb-fix-1", item: "book", quantity: 0 }), "wb-fix-1");
    const found = await find("wb-fix-1");
    assert.ok(found);
    assert.match(found.reason, /quantity/);
    const before = await depth(pipeline.dlq);
    const result = await actOnDeadLetters(model(), pipeline.publisher, {
      dlq: pipeline.dlq,
      action: "redrive",
      selection: { ids: [found.id] },
      edit: { id: found.id, body: JSON.stringify({ orderId: "wb-fix-1", item: "book", quantity: 2 }) },
    });
    assert.equal(result.redriven.length, 1);
    assert.equal(result.redriven[0]?.edited, true);
    assert.match(result.redriven[0]?.messageId ?? "", /^wb-fix-1~edit-[0-9a-f]{12}$/);
    assert.equal(result.redriven[0]?.queue, pipeline.queue);
    await waitFor(() => paid("wb-fix-1"), 5000, "the payment of the fixed order");
    assert.equal(pipeline.ledger.recent(500).find((p) => p.orderId === "wb-fix-1")?.amountCents, 2500);
    assert.equal(await depth(pipeline.dlq), before - 1);
    assert.equal(await find("wb-fix-1"), undefined);
  });

  it("an edited conflict follows the ledger's rule: same content is a suppressed duplicate, never a second payment", async () => {
    const orderId = `wb-conflict-${Date.now()}`;
    await pipeline.send(JSON.stringify({ orderId, item: "pen", quantity: 1 }), { messageId: `${orderId}-a` });
    await waitFor(() => paid(orderId), 5000, "the first payment");
    await poison(JSON.stringify({ orderId, item: "pen", quantity: 9 }), `${orderId}-b`);
    const found = await find(`${orderId}-b`);
    assert.ok(found);
    assert.match(found.reason, /^conflict: /);
    const duplicatesBefore = pipeline.ledger.counts().duplicates;
    const result = await actOnDeadLetters(model(), pipeline.publisher, {
      dlq: pipeline.dlq,
      action: "redrive",
      selection: { ids: [found.id] },
      edit: { id: found.id, body: JSON.stringify({ orderId, item: "pen", quantity: 1 }) },
    });
    assert.match(result.redriven[0]?.messageId ?? "", new RegExp(`^${orderId}-b~edit-`));
    await waitFor(() => pipeline.ledger.counts().duplicates === duplicatesBefore + 1, 5000, "the duplicate");
    assert.equal(pipeline.ledger.recent(500).filter((p) => p.orderId === orderId).length, 1);
    assert.equal(pipeline.ledger.recent(500).find((p) => p.orderId === orderId)?.quantity, 1);
    assert.equal(await find(`${orderId}-b`), undefined, "acked, not dead-lettered again");
  });

  it("a still-broken redrive comes back to the DLQ with its redrive count up", async () => {
    await poison("still broken", "wb-broken-1");
    for (const expected of [1, 2]) {
      const found = await find("wb-broken-1");
      assert.ok(found);
      assert.equal(found.redriveCount, expected - 1);
      const result = await actOnDeadLetters(model(), pipeline.publisher, {
        dlq: pipeline.dlq,
        action: "redrive",
        selection: { ids: [found.id] },
      });
      assert.equal(result.redriven.length, 1);
      assert.equal(result.redriven[0]?.messageId, "wb-broken-1", "an unedited redrive keeps its message id");
      await waitFor(
        async () => (await find("wb-broken-1"))?.redriveCount === expected,
        5000,
        `the message back with count ${expected}`,
      );
    }
    const back = await find("wb-broken-1");
    assert.match(back?.reason ?? "", /^not JSON/);
  });

  it("discards only the selected message and reports ids it could not find", async () => {
    await poison("discard me", "wb-discard-1");
    await poison("keep me", "wb-keep-1");
    const target = await find("wb-discard-1");
    assert.ok(target);
    const before = await depth(pipeline.dlq);
    const result = await actOnDeadLetters(model(), pipeline.publisher, {
      dlq: pipeline.dlq,
      action: "discard",
      selection: { ids: [target.id, "0000000000000000dead"] },
    });
    assert.deepEqual(result.discarded, [target.id]);
    assert.deepEqual(result.missing, ["0000000000000000dead"]);
    assert.equal(await depth(pipeline.dlq), before - 1);
    assert.equal(await find("wb-discard-1"), undefined);
    assert.ok(await find("wb-keep-1"));
  });

  it("redrives a whole reason group and nothing else", async () => {
    await poison(JSON.stringify({ orderId: "wb-group-a", item: "" }), "wb-group-a");
    await poison(JSON.stringify({ orderId: "wb-group-b", item: "" }), "wb-group-b");
    const a = await find("wb-group-a");
    assert.ok(a);
    const otherGroups = (await browseDeadLetters(model(), pipeline.dlq)).messages.filter((m) => m.group !== a.group);
    const result = await actOnDeadLetters(model(), pipeline.publisher, {
      dlq: pipeline.dlq,
      action: "redrive",
      selection: { all: true, group: a.group },
    });
    assert.equal(result.redriven.length, 2);
    // Still broken: both come back, once each (the action does not chase its own redrives).
    await waitFor(async () => (await find("wb-group-b"))?.redriveCount === 1, 5000, "group b back");
    const after = (await browseDeadLetters(model(), pipeline.dlq)).messages;
    assert.equal(after.filter((m) => m.group !== a.group).length, otherGroups.length);
    assert.equal(after.find((m) => m.messageId === "wb-group-a")?.redriveCount, 1);
  });

  it("rejects an edit for a discard or for more than one message", async () => {
    await assert.rejects(
      actOnDeadLetters(model(), pipeline.publisher, {
        dlq: pipeline.dlq,
        action: "discard",
        selection: { ids: ["a"] },
        edit: { id: "a", body: "{}" },
      }),
      /Only a redrive/,
    );
    await assert.rejects(
      actOnDeadLetters(model(), pipeline.publisher, {
        dlq: pipeline.dlq,
        action: "redrive",
        selection: { ids: ["a", "b"] },
        edit: { id: "a", body: "{}" },
      }),
      /exactly one/,
    );
  });

  it("decodes the broker's x-death and redrives to the queue that rejected it", async () => {
    const source = `${pipeline.queue}.thirdparty`;
    const dlq = `${source}.dlq`;
    const raw = await amqp.connect(AMQP_URL);
    const channel = await raw.createChannel();
    try {
      await channel.assertQueue(dlq, { durable: true });
      await channel.assertQueue(source, {
        durable: true,
        arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq },
      });
      channel.sendToQueue(source, Buffer.from('{"hello":1}'), { messageId: "tp-1", persistent: true });
      let got: amqp.GetMessage | false = false;
      await waitFor(
        async () => {
          got = await channel.get(source, { noAck: false });
          return got !== false;
        },
        5000,
        "the third-party message",
      );
      channel.nack(got as unknown as amqp.GetMessage, false, false);
      await waitFor(async () => (await channel.checkQueue(dlq)).messageCount === 1, 5000, "the broker's dead letter");

      const { messages } = await browseDeadLetters(model(), dlq);
      const [dead] = messages;
      assert.ok(dead);
      assert.equal(dead.source, "broker");
      assert.equal(dead.reason, "rejected (broker)");
      assert.equal(dead.originalQueue, source);
      assert.equal(dead.deathCount, 1);
      assert.equal(dead.deaths[0]?.queue, source);
      assert.ok(dead.deadLetteredAt && Math.abs(dead.deadLetteredAt - Date.now()) < 60_000);

      const result = await actOnDeadLetters(model(), pipeline.publisher, {
        dlq,
        action: "redrive",
        selection: { all: true },
      });
      assert.equal(result.redriven[0]?.queue, source);
      const back = await channel.get(source, { noAck: true });
      assert.ok(back);
      assert.equal(back.content.toString(), '{"hello":1}');
      assert.equal(back.properties.headers?.[REDRIVE_COUNT_HEADER], 1);
      assert.equal((await channel.checkQueue(dlq)).messageCount, 0);
    } finally {
      await channel.deleteQueue(source).catch(() => {});
      await channel.deleteQueue(dlq).catch(() => {});
      await raw.close().catch(() => {});
    }
  });

  it("without the management API, only Warren's own DLQ is offered", async () => {
    const discovery = await discoverDeadLetterQueues({
      orderQueue: pipeline.queue,
      management: new ManagementClient({ baseUrl: "http://127.0.0.1:9", amqpUrl: AMQP_URL, timeoutMs: 500 }),
    });
    assert.equal(discovery.management, false);
    assert.deepEqual(
      discovery.queues.map((q) => q.name),
      [pipeline.dlq],
    );
  });
});
