import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { actOnDeadLetters, browseDeadLetters, dryRunDeadLetters } from "../../lib/deadletters/workbench";
import { ORIGINAL_QUEUE_HEADER, REASON_HEADER } from "../../lib/payments/consumer";
import { SqliteStore } from "../../lib/store/sqlite";
import { startPipeline, waitFor } from "./harness";

describe("redrive dry-run (real broker, real consumer, real SQLite)", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let store: SqliteStore;
  const model = () => pipeline.consumeLink.current();
  const depth = async (queue: string) => (await pipeline.rawChannel.checkQueue(queue)).messageCount;
  const paid = (orderId: string) => pipeline.ledger.recent(500).filter((p) => p.orderId === orderId);

  before(async () => {
    pipeline = await startPipeline("dryrun");
    store = new SqliteStore(pipeline.ledger.db);
  });
  after(async () => {
    await pipeline.close();
  });

  /** A message parked in the DLQ by hand, as an operator or another tool would leave it. */
  async function park(body: unknown, messageId: string) {
    pipeline.rawChannel.sendToQueue(pipeline.dlq, Buffer.from(JSON.stringify(body)), {
      messageId,
      persistent: true,
      contentType: "application/json",
      headers: { [ORIGINAL_QUEUE_HEADER]: pipeline.queue, [REASON_HEADER]: "parked for the test" },
    });
    await pipeline.rawChannel.waitForConfirms();
  }

  async function payFirst(orderId: string, body: unknown) {
    await pipeline.send(JSON.stringify(body), { messageId: `${orderId}-first` });
    await waitFor(() => paid(orderId).length === 1, 5000, `the first payment of ${orderId}`);
  }

  it("predicts pay, duplicate, conflict and invalid (with the field), and the redrive then does exactly that", async () => {
    const run = Date.now();
    const fresh = { orderId: `dr-pay-${run}`, item: "book", quantity: 2 };
    const again = { orderId: `dr-dup-${run}`, item: "pen", quantity: 1 };
    const clash = { orderId: `dr-clash-${run}`, item: "ink", quantity: 1 };
    await payFirst(again.orderId, again);
    await payFirst(clash.orderId, clash);
    await park(fresh, `${fresh.orderId}-m`);
    await park(again, `${again.orderId}-m`);
    await park({ ...clash, quantity: 5 }, `${clash.orderId}-m`);
    await park({ orderId: `dr-bad-${run}`, item: "cup", quantity: 0 }, `dr-bad-${run}-m`);

    const { messages } = await browseDeadLetters(model(), pipeline.dlq);
    const ids = messages.filter((m) => m.messageId?.includes(`-${run}-m`)).map((m) => m.id);
    assert.equal(ids.length, 4);
    const depthBefore = await depth(pipeline.dlq);
    const paymentsBefore = pipeline.ledger.counts();

    const dry = await dryRunDeadLetters(model(), (orderIds) => store.payments.paidHashes(orderIds), {
      dlq: pipeline.dlq,
      selection: { ids },
    });
    const byMessage = new Map(dry.predictions.map((p) => [p.messageId, p.prediction]));
    assert.deepEqual(byMessage.get(`${fresh.orderId}-m`), { kind: "pay", orderId: fresh.orderId });
    assert.deepEqual(byMessage.get(`${again.orderId}-m`), { kind: "duplicate", orderId: again.orderId });
    const conflict = byMessage.get(`${clash.orderId}-m`);
    assert.equal(conflict?.kind, "conflict");
    const invalid = byMessage.get(`dr-bad-${run}-m`);
    assert.equal(invalid?.kind, "invalid");
    assert.deepEqual(invalid?.kind === "invalid" ? invalid.fields : null, ["quantity"]);
    assert.deepEqual(dry.missing, []);
    // Nothing was published, paid or taken from the DLQ.
    assert.equal(await depth(pipeline.dlq), depthBefore);
    assert.deepEqual(pipeline.ledger.counts(), paymentsBefore);

    const result = await actOnDeadLetters(model(), pipeline.publisher, {
      dlq: pipeline.dlq,
      action: "redrive",
      selection: { ids },
    });
    assert.equal(result.redriven.length, 4);
    // pay: paid once, with the parked body.
    await waitFor(() => paid(fresh.orderId).length === 1, 5000, "the predicted payment");
    assert.equal(paid(fresh.orderId)[0]?.quantity, 2);
    // duplicate: absorbed (counted, acked), no second payment.
    await waitFor(
      () => pipeline.ledger.counts().duplicates === paymentsBefore.duplicates + 1,
      5000,
      "the predicted duplicate",
    );
    assert.equal(paid(again.orderId).length, 1);
    // conflict and invalid: back in the DLQ with the reasons the dry-run gave.
    await waitFor(
      async () => {
        const back = (await browseDeadLetters(model(), pipeline.dlq)).messages;
        return (
          back.some(
            (m) =>
              m.messageId === `${clash.orderId}-m` && m.reason === (conflict?.kind === "conflict" && conflict.reason),
          ) &&
          back.some(
            (m) => m.messageId === `dr-bad-${run}-m` && invalid?.kind === "invalid" && m.reason === invalid.reason,
          )
        );
      },
      5000,
      "the conflict and the invalid message back in the DLQ",
    );
    const back = (await browseDeadLetters(model(), pipeline.dlq)).messages.map((m) => m.messageId);
    assert.ok(!back.includes(`${fresh.orderId}-m`) && !back.includes(`${again.orderId}-m`));
  });

  it("predicts an edited body, and counts an earlier pay in the same selection", async () => {
    const run = Date.now();
    const order = { orderId: `dr-twice-${run}`, item: "book", quantity: 1 };
    await park(order, `${order.orderId}-a`);
    await park({ ...order, quantity: 3 }, `${order.orderId}-b`);
    await park({ orderId: `dr-edit-${run}`, item: "book", quantity: 0 }, `dr-edit-${run}-m`);
    const { messages } = await browseDeadLetters(model(), pipeline.dlq);
    const pick = (messageId: string) => messages.find((m) => m.messageId === messageId)?.id as string;
    const editId = pick(`dr-edit-${run}-m`);
    const dry = await dryRunDeadLetters(model(), (orderIds) => store.payments.paidHashes(orderIds), {
      dlq: pipeline.dlq,
      selection: { ids: [pick(`${order.orderId}-a`), pick(`${order.orderId}-b`), editId] },
      edit: { id: editId, body: JSON.stringify({ orderId: `dr-edit-${run}`, item: "book", quantity: 4 }) },
    });
    assert.deepEqual(
      dry.predictions.map((p) => [p.messageId, p.prediction.kind]),
      [
        [`${order.orderId}-a`, "pay"],
        [`${order.orderId}-b`, "conflict"],
        [`dr-edit-${run}-m`, "pay"],
      ],
    );
  });
});
