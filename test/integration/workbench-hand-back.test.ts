import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { actOnDeadLetters, browseDeadLetters, dryRunDeadLetters } from "../../lib/deadletters/workbench";
import { AMQP_URL } from "./harness";

/**
 * A workbench read holds what it reads unacked and hands it back. When the call returns, the
 * messages must be back in the queue: a read right after (another browse, a queue peek, the depth
 * on the page) must see all of them, not the ~800 a nackAll + passive declare had requeued.
 */
describe("dead-letter workbench hands every read message back before it returns (real broker)", () => {
  const N = 2_000;
  let reader: amqp.ChannelModel;
  let seeder: amqp.ChannelModel;
  const queues: string[] = [];

  before(async () => {
    reader = await amqp.connect(AMQP_URL);
    seeder = await amqp.connect(AMQP_URL);
  });
  after(async () => {
    const ch = await seeder.createChannel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => {});
    await seeder.close().catch(() => {});
    await reader.close().catch(() => {});
  });

  async function seeded(kind: "classic" | "quorum"): Promise<string> {
    const queue = `hb.${kind}.${randomUUID().slice(0, 8)}`;
    queues.push(queue);
    const ch = await seeder.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": kind } });
    for (let i = 0; i < N; i++) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: `o-${i}`, i })), {
        messageId: `m-${i}`,
        contentType: "application/json",
        persistent: true,
      });
    }
    await ch.waitForConfirms();
    await ch.close();
    return queue;
  }

  /** A passive declare on a channel that never touched the queue: what any other reader would see. */
  async function readyNow(queue: string): Promise<number> {
    const fresh = await seeder.createChannel();
    try {
      return (await fresh.checkQueue(queue)).messageCount;
    } finally {
      await fresh.close();
    }
  }

  for (const kind of ["classic", "quorum"] as const) {
    it(`browse of ${N} on a ${kind} queue: all ${N} ready the moment it returns`, async () => {
      const queue = await seeded(kind);
      assert.equal(await readyNow(queue), N);
      // A limit above the depth, as when the page's list limit exceeds a DLQ: the read drains the queue.
      const { messages, depth, more } = await browseDeadLetters(reader, queue, 2 * N);
      assert.equal(depth, N);
      assert.equal(messages.length, N);
      assert.equal(more, false);
      assert.equal(await readyNow(queue), N, "every browsed message is back and ready");
    });
  }

  it(`dry run over ${N}: all back when it returns`, async () => {
    const queue = await seeded("classic");
    const result = await dryRunDeadLetters(reader, async () => new Map(), {
      dlq: queue,
      selection: { ids: ["not-there"] },
    });
    assert.equal(result.scanned, N);
    assert.equal(await readyNow(queue), N);
  });

  it(`discard of one among ${N}: the other ${N - 1} back when it returns`, async () => {
    const queue = await seeded("classic");
    const { messages } = await browseDeadLetters(reader, queue, N);
    const last = messages.at(-1);
    assert.ok(last);
    const publisher = { publish: async () => {} } as unknown as Parameters<typeof actOnDeadLetters>[1];
    const result = await actOnDeadLetters(reader, publisher, {
      dlq: queue,
      action: "discard",
      selection: { ids: [last.id] },
    });
    assert.deepEqual(result.discarded, [last.id]);
    assert.equal(await readyNow(queue), N - 1);
  });
});
