import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NACK_STREAK_REOPEN } from "../../lib/amqp/publisher";
import { broadcastControl, listenForControl } from "../../lib/payments/control";
import { startPipeline, waitFor } from "./harness";

/**
 * A channel closed alone (the connection stays up) reopens and runs its
 * setup again: for the consumer, the control listener and the publisher, the
 * same state machine. A passive check of a missing queue is the easiest way
 * to make the broker close one channel.
 */
describe("one resilient channel for every user", { timeout: 60_000 }, () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  before(async () => {
    pipeline = await startPipeline("resilient");
  });
  after(async () => {
    await pipeline.close();
  });

  it("the consumer's channel closed by the broker: it reopens and pays again", async () => {
    const channel = pipeline.consumer.channelState.current();
    assert.ok(channel);
    await assert.rejects(channel.checkQueue(`missing.${Date.now()}`));
    await waitFor(
      () => pipeline.consumer.channelState.current() !== channel && pipeline.consumer.stats.running,
      5000,
      "a new channel, consuming",
    );
    const orderId = `resilient-${Date.now()}`;
    await pipeline.send(JSON.stringify({ orderId, item: "book" }));
    await waitFor(() => pipeline.ledger.recent().some((p) => p.orderId === orderId), 5000, "a payment");
  });

  it("the control listener's channel closed by the broker: pause still reaches the consumer", async () => {
    const control = listenForControl(pipeline.consumeLink, pipeline.consumer);
    try {
      await waitFor(() => control.channel.current() !== null, 5000, "the control channel");
      const channel = control.channel.current();
      await assert.rejects(channel?.checkQueue(`missing.${Date.now()}`) ?? Promise.reject(new Error("no channel")));
      await waitFor(
        () => control.channel.current() !== null && control.channel.current() !== channel,
        5000,
        "the control channel to reopen",
      );
      await broadcastControl(pipeline.publisher, { command: "pause" }, pipeline.queue);
      await waitFor(() => pipeline.consumer.stats.paused, 5000, "the pause to arrive");
      await broadcastControl(pipeline.publisher, { command: "resume" }, pipeline.queue);
      await waitFor(() => pipeline.consumer.stats.running, 5000, "the resume to arrive");
    } finally {
      await control.close();
    }
  });

  it(`the publisher replaces its confirm channel after ${NACK_STREAK_REOPEN} nacks in a row`, async () => {
    const full = `${pipeline.queue}.full`;
    // A queue that rejects every publish: the broker nacks each one.
    await pipeline.rawChannel.assertQueue(full, {
      durable: false,
      autoDelete: true,
      arguments: { "x-max-length": 0, "x-overflow": "reject-publish" },
    });
    try {
      const before = pipeline.publisher.channelState.current();
      for (let i = 0; i < NACK_STREAK_REOPEN; i++) {
        await assert.rejects(
          pipeline.publisher.publish("", full, Buffer.from("{}"), { messageId: `nack-${i}` }),
          (error: Error & { code?: string }) => error.code === "publish_failed",
        );
      }
      assert.equal(pipeline.publisher.counts.reopenedAfterNacks, 1);
      await waitFor(
        () => pipeline.publisher.ready && pipeline.publisher.channelState.current() !== before,
        5000,
        "a fresh confirm channel",
      );
    } finally {
      await pipeline.rawChannel.deleteQueue(full).catch(() => {});
    }
  });
});
