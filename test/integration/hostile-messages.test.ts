import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import type { GetMessage } from "amqplib";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { HEADERS_DROPPED_HEADER, REASON_HEADER } from "../../lib/payments/dead-letter";
import { AMQP_URL, startPipeline, waitFor } from "./harness";

/**
 * Whatever a producer sends, the consumer keeps paying good orders, each bad
 * message ends in the DLQ with its reason (or, where it cannot even be sent,
 * nowhere and nothing lost), and the consumer's state stays "consuming" the
 * whole time. On the shared broker with a queue of this test's own: a message
 * that kills a connection kills only this test's consumer connection.
 */

/**
 * amqplib encodes header tables recursively too, and overflows the stack on
 * the way out before the decoder does on the way in: a worker thread with a
 * big stack publishes what a non-Node producer could.
 */
async function publishDeepHeaders(queue: string, depth: number, messageId: string): Promise<void> {
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    const amqp = require(workerData.amqplib);
    (async () => {
      const connection = await amqp.connect(workerData.url);
      const channel = await connection.createConfirmChannel();
      let nested = { leaf: 1 };
      for (let i = 0; i < workerData.depth; i++) nested = { n: nested };
      channel.sendToQueue(workerData.queue, Buffer.from('{"orderId":"deep-' + workerData.messageId + '","item":"book"}'),
        { headers: { deep: nested }, messageId: workerData.messageId, persistent: true });
      await channel.waitForConfirms();
      await connection.close();
      parentPort.postMessage("ok");
    })().catch((error) => parentPort.postMessage("failed: " + error.message));
  `;
  const worker = new Worker(code, {
    eval: true,
    workerData: {
      amqplib: createRequire(import.meta.url).resolve("amqplib"),
      url: AMQP_URL,
      depth,
      queue,
      messageId,
    },
    resourceLimits: { stackSizeMb: 256 },
  });
  const answer = await new Promise((resolve) => worker.once("message", resolve));
  await worker.terminate();
  assert.equal(answer, "ok");
}

const decimal = { "!": "decimal", value: { places: 2, digits: 12345 } };
const allFieldTypes = {
  string: "text ünïcödé",
  int: 42,
  negative: -7,
  float: 3.25,
  bigish: 2 ** 40,
  yes: true,
  no: false,
  nothing: null,
  bytes: Buffer.from([0, 1, 2, 255]),
  when: new Date(1_700_000_000_000),
  list: [1, "two", { three: 3 }, [4]],
  table: { a: { b: { c: "d" } } },
  int8: { "!": "int8", value: -5 },
  int16: { "!": "int16", value: 300 },
  int32: { "!": "int32", value: 70_000 },
  int64: { "!": "int64", value: 2 ** 40 },
  double: { "!": "double", value: 1.5 },
  floatTyped: { "!": "float", value: 0.5 },
  decimal,
  timestamp: { "!": "timestamp", value: 1_700_000_000 },
};

describe("hostile messages on the real broker", { timeout: 120_000 }, () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  const states = new Set<string>();
  let watch: NodeJS.Timeout;
  before(async () => {
    pipeline = await startPipeline("hostile", { prefetch: 20 });
    // Health stays truthful throughout: sampled all along, asserted at the end.
    watch = setInterval(() => states.add(pipeline.consumer.status().state), 10);
  });
  after(async () => {
    clearInterval(watch);
    await pipeline.close();
  });

  const goodIds: string[] = [];
  async function good(): Promise<void> {
    const orderId = `good-${randomUUID()}`;
    goodIds.push(orderId);
    await pipeline.send(JSON.stringify({ orderId, item: "book", quantity: 1 }), { messageId: orderId });
  }

  /** Every dead letter of this test, read once and kept by message id. */
  const dead = new Map<string, GetMessage>();
  async function deadLetter(messageId: string): Promise<GetMessage> {
    await waitFor(
      async () => {
        for (;;) {
          const message = await pipeline.rawChannel.get(deadLetterQueueOf(pipeline.queue), { noAck: true });
          if (message === false) break;
          dead.set(String(message.properties.messageId), message);
        }
        return dead.has(messageId);
      },
      10_000,
      `the dead letter ${messageId}`,
    );
    return dead.get(messageId) as GetMessage;
  }

  it("pays good orders interleaved with hostile ones; each hostile one is dead-lettered with its reason", async () => {
    const expected: Array<{ id: string; reason: RegExp; check?: (m: GetMessage) => void }> = [];

    await good();
    await publishDeepHeaders(pipeline.queue, 4500, "deep-4500");
    expected.push({ id: "deep-4500", reason: /^undecodable message properties: RangeError: Maximum call stack/ });
    await good();

    // Headers just under amqplib's 64 KiB property buffer, on a body that must be dead-lettered:
    // Warren's own dead-letter headers would push the copy over it.
    await pipeline.send("not json", { messageId: "near-64k", headers: { filler: "x".repeat(65_440) } });
    expected.push({
      id: "near-64k",
      reason: /^not JSON/,
      check: (m) => assert.match(String(m.properties.headers?.[HEADERS_DROPPED_HEADER]), /did not fit/),
    });
    await good();

    // Over 64 KiB: amqplib refuses to encode it, so it never reaches the broker (nothing to lose).
    assert.throws(
      () =>
        pipeline.rawChannel.sendToQueue(pipeline.queue, Buffer.from("{}"), {
          messageId: "over-64k",
          headers: { filler: "x".repeat(70_000) },
        }),
      /exceeds the 65536 byte encoding buffer/,
    );
    await good();

    // Every AMQP field type: a good order carrying them is paid, a bad one keeps them in the DLQ.
    await pipeline.send(JSON.stringify({ orderId: `typed-${randomUUID()}`, item: "pen" }), {
      messageId: "typed-good",
      headers: allFieldTypes,
    });
    await pipeline.send('{"orderId": 1, "item": ""}', { messageId: "typed-bad", headers: allFieldTypes });
    expected.push({
      id: "typed-bad",
      reason: /^schema: /,
      check: (m) => {
        assert.equal(m.properties.headers?.string, allFieldTypes.string);
        assert.deepEqual(m.properties.headers?.list, allFieldTypes.list);
      },
    });
    await good();

    await pipeline.send(Buffer.from([0x7b, 0x22, 0x69, 0xff, 0xfe, 0x22, 0x7d]), { messageId: "bad-utf8" });
    expected.push({ id: "bad-utf8", reason: /^not UTF-8/ });
    await good();

    const huge = JSON.stringify({ orderId: "huge", item: "book", pad: "y".repeat(2_000_000) });
    await pipeline.send(huge, { messageId: "huge-json" });
    expected.push({ id: "huge-json", reason: /^message too large/ });
    await good();

    await pipeline.send(`${"[".repeat(30_000)}${"]".repeat(30_000)}`, { messageId: "deep-json" });
    expected.push({ id: "deep-json", reason: /^(schema|not JSON)/ });
    await good();

    for (const { id, reason, check } of expected) {
      const message = await deadLetter(id);
      assert.match(String(message.properties.headers?.[REASON_HEADER]), reason, `reason of ${id}`);
      check?.(message);
    }
    await waitFor(
      () => goodIds.every((id) => pipeline.ledger.recent(500).some((p) => p.orderId === id)),
      10_000,
      "every good order to be paid",
    );
    assert.equal(pipeline.consumer.stats.deadLettered, expected.length);
    assert.deepEqual([...states], ["consuming"], "the consumer never stopped consuming");
    assert.equal(pipeline.consumer.stats.running, true);
  });
});
