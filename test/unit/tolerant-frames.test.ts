import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { tolerateUndecodableProperties, UNDECODABLE_HEADER } from "../../lib/amqp/tolerant-frames";

// amqplib's own Connection (its real frame reader and codec) over a stream this test writes to.
const require = createRequire(import.meta.url);
// Not among the package's exports: loaded by its file, next to the package's main module.
const { Connection } = require(join(dirname(require.resolve("amqplib")), "lib", "connection.js")) as {
  Connection: new (
    stream: PassThrough,
  ) => {
    rest: Buffer;
    maxFrameSize: number;
    recvFrame(): unknown;
  };
};

function connection() {
  const stream = new PassThrough();
  const conn = new Connection(stream);
  assert.equal(tolerateUndecodableProperties({ connection: conn } as never), true);
  return { conn, stream };
}

/** An AMQP frame: type, channel, size, payload, frame-end. */
function frame(type: number, channel: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
}

/** A basic content header whose only property is a header table; `table` is the table's encoded body. */
function contentHeader(table: Buffer, bodySize = 5): Buffer {
  const payload = Buffer.alloc(14 + 4 + table.length);
  payload.writeUInt16BE(60, 0); // class: basic
  payload.writeUInt16BE(0, 2); // weight
  payload.writeBigUInt64BE(BigInt(bodySize), 4);
  payload.writeUInt16BE(1 << 13, 12); // flags: headers only
  payload.writeUInt32BE(table.length, 14);
  table.copy(payload, 18);
  return frame(2, 1, payload);
}

/** A header table entry `key` holding a nested table `depth` levels deep. */
function nestedTable(depth: number): Buffer {
  let inner = Buffer.alloc(0);
  for (let i = 0; i < depth; i++) {
    const entry = Buffer.concat([Buffer.from([1, 0x61, 0x46]), Buffer.alloc(4), inner]);
    entry.writeUInt32BE(inner.length, 3);
    inner = entry;
  }
  return inner;
}

describe("tolerateUndecodableProperties (amqplib's reader)", () => {
  it("waits for a whole frame, then hands it to amqplib", () => {
    const { conn, stream } = connection();
    const heartbeat = frame(8, 0, Buffer.alloc(0));
    stream.write(heartbeat.subarray(0, 5));
    assert.equal(conn.recvFrame(), false, "a partial frame is not a frame yet");
    stream.write(heartbeat.subarray(5));
    const decoded = conn.recvFrame() as { channel: number };
    assert.equal(decoded.channel, 0);
    assert.equal(conn.rest.length, 0);
  });

  it("replaces a content header amqplib cannot decode, and keeps reading after it", () => {
    const { conn, stream } = connection();
    stream.write(Buffer.concat([contentHeader(nestedTable(20_000)), frame(8, 0, Buffer.alloc(0))]));
    const replaced = conn.recvFrame() as { channel: number; size: number; fields: { headers: Record<string, string> } };
    assert.equal(replaced.channel, 1);
    assert.equal(replaced.size, 5);
    assert.match(replaced.fields.headers[UNDECODABLE_HEADER] ?? "", /RangeError/);
    assert.deepEqual(conn.recvFrame(), { channel: 0 }, "the next frame is read as usual");
  });

  it("decodes a well-formed content header as amqplib does", () => {
    const { conn, stream } = connection();
    stream.write(contentHeader(nestedTable(3)));
    const header = conn.recvFrame() as { fields: { headers: Record<string, unknown> } };
    assert.equal(header.fields.headers[UNDECODABLE_HEADER], undefined);
    assert.ok(header.fields.headers.a);
  });

  it("fails a frame over the size limit as soon as its size is known", () => {
    const { conn, stream } = connection();
    conn.maxFrameSize = 4096;
    const big = frame(3, 1, Buffer.alloc(10_000));
    stream.write(big.subarray(0, 100));
    assert.throws(() => conn.recvFrame(), /exceeds maxFrameSize/);
  });

  it("lets amqplib reject a frame with a bad frame-end", () => {
    const { conn, stream } = connection();
    const bad = frame(8, 0, Buffer.alloc(0));
    bad.writeUInt8(0, bad.length - 1);
    stream.write(bad);
    assert.throws(() => conn.recvFrame(), /Invalid frame/);
  });
});
