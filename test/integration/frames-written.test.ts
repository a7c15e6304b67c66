import assert from "node:assert/strict";
import { describe, it } from "node:test";
import amqp from "amqplib";
import { framesWritten } from "../../lib/amqp/frames-written";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

/**
 * The consumer tells its own listeners of a batch only after framesWritten(), so that the ack is
 * on its way to the broker first. That relies on when amqplib writes a frame (a tick, then its
 * multiplexer's immediate); an amqplib that schedules its writes otherwise fails here, instead of
 * quietly turning the wait into a delay.
 */
describe("framesWritten and amqplib's writes", { timeout: 20_000 }, () => {
  it("an ack sent before it is written to the socket by the time it resolves", async () => {
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue("", { exclusive: true });
      channel.sendToQueue(queue, Buffer.from("x"));
      const stream = (connection as unknown as { connection: { stream: { write: (...args: unknown[]) => boolean } } })
        .connection.stream;
      const writes: string[] = [];
      const write = stream.write.bind(stream);
      stream.write = (...args: unknown[]) => {
        writes.push("socket");
        return write(...args);
      };
      // Nothing is asserted inside amqplib's callback (a throw there closes the channel, not this
      // test): the counts come out, and a delivery that never comes fails on a timer.
      const { atOnce, order } = await new Promise<{ atOnce: number; order: string[] }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no delivery within 10 s")), 10_000);
        connection.on("error", reject);
        channel.on("error", reject);
        channel
          .consume(queue, (message) => {
            if (!message) return;
            writes.length = 0;
            channel.ack(message);
            const atOnce = writes.length;
            framesWritten().then(() => {
              clearTimeout(timer);
              writes.push("resolved");
              resolve({ atOnce, order: [...writes] });
            }, reject);
          })
          .catch(reject);
      });
      assert.equal(atOnce, 0, "amqplib wrote the ack at once: framesWritten is not needed");
      assert.deepEqual(order, ["socket", "resolved"]);
    } finally {
      await connection.close().catch(() => {});
    }
  });
});
