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
      const order = await new Promise<string[]>((resolve, reject) => {
        void channel
          .consume(queue, (message) => {
            if (!message) return;
            writes.length = 0;
            channel.ack(message);
            assert.equal(writes.length, 0, "amqplib wrote the ack at once: framesWritten is not needed");
            void framesWritten().then(() => {
              writes.push("resolved");
              resolve([...writes]);
            }, reject);
          })
          .catch(reject);
      });
      assert.deepEqual(order, ["socket", "resolved"]);
    } finally {
      await connection.close().catch(() => {});
    }
  });
});
