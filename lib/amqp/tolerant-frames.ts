import type { ChannelModel } from "amqplib";

/** Set on a delivery whose properties amqplib could not decode; the consumer dead-letters it with this reason. */
export const UNDECODABLE_HEADER = "x-warren-undecodable";

interface ConnectionInternals {
  rest: Buffer;
  /** amqplib's limit on a frame's size (0: none); a larger frame is its error to raise. */
  maxFrameSize?: number;
  recvSinceLastCheck: boolean;
  stream: { read(): Buffer | null };
  recvFrame(): unknown;
}

/** AMQP 0-9-1 frame layout: type (1), channel (2), size (4), payload (size), frame-end (1). */
const FRAME_HEADER_BYTES = 7;
const CONTENT_HEADER_FRAME = 2;

/** Whether `bin` starts with one whole frame (checked without building anything: this runs for every frame). */
function holdsFrame(bin: Buffer): boolean {
  return bin.length >= FRAME_HEADER_BYTES && bin.length >= FRAME_HEADER_BYTES + bin.readUInt32BE(3) + 1;
}

function overLimit(size: number, max: number | undefined): boolean {
  return typeof max === "number" && max > 0 && size > max;
}

/**
 * A message is data: nothing a producer puts in it may take the consumer's
 * connection down. amqplib decodes header tables recursively, so headers
 * nested a few thousand tables deep overflow the stack inside its frame
 * reader, which then kills the connection, and the broker redelivers the
 * same message to the next connection, forever. On this connection only, a
 * content-header frame that fails to decode is handed on with its properties
 * replaced by one header saying why; the body still arrives, and the
 * consumer dead-letters the message with that reason.
 *
 * This wraps amqplib's `recvFrame` on one connection object; where amqplib's
 * internals are not as expected it does nothing (and says so), and the
 * consumer falls back to reconnecting with backoff.
 */
export function tolerateUndecodableProperties(model: ChannelModel): boolean {
  const connection = (model as unknown as { connection?: ConnectionInternals }).connection;
  if (!connection || typeof connection.recvFrame !== "function" || !Buffer.isBuffer(connection.rest)) return false;
  const original = connection.recvFrame;
  connection.recvFrame = function recvFrame(this: ConnectionInternals): unknown {
    // Gather one whole frame first, as amqplib's reader does, to know what it is about to decode.
    while (!holdsFrame(this.rest)) {
      // A frame over the limit fails as soon as its size is known, as amqplib's own reader does,
      // rather than after its bytes are gathered.
      if (this.rest.length >= FRAME_HEADER_BYTES && overLimit(this.rest.readUInt32BE(3), this.maxFrameSize)) {
        return original.call(this);
      }
      const incoming = this.stream.read();
      if (incoming === null) return false;
      this.recvSinceLastCheck = true;
      this.rest = Buffer.concat([this.rest, incoming]);
    }
    const frame = this.rest;
    const size = frame.readUInt32BE(3);
    if (frame.readUInt8(0) !== CONTENT_HEADER_FRAME || size < 14) return original.call(this);
    try {
      return original.call(this);
    } catch (error) {
      // Only a frame amqplib consumed and then failed to decode is replaced; anything else is its business.
      if (this.rest === frame) throw error;
      const payload = frame.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + size);
      return {
        id: payload.readUInt16BE(0),
        channel: frame.readUInt16BE(1),
        size: Number(payload.readBigUInt64BE(4)),
        fields: propertiesWithoutHeaders(payload.subarray(12), `${(error as Error).name}: ${(error as Error).message}`),
      };
    }
  };
  return true;
}

const SHORT_STRINGS = new Map<number, string>([
  [15, "contentType"],
  [14, "contentEncoding"],
  [10, "correlationId"],
  [9, "replyTo"],
  [8, "expiration"],
  [7, "messageId"],
  [5, "type"],
  [4, "userId"],
  [3, "appId"],
  [2, "clusterId"],
]);

/**
 * The basic properties with the header table skipped by its length prefix
 * (never decoded), so the message id, timestamp and the like survive for the
 * dead letter; the headers become the one header that says why.
 */
export function propertiesWithoutHeaders(buffer: Buffer, why: string): Record<string, unknown> {
  const fields: Record<string, unknown> = { headers: { [UNDECODABLE_HEADER]: why } };
  try {
    const flags = buffer.readUInt16BE(0);
    let offset = 2;
    for (let bit = 15; bit >= 2; bit--) {
      if (!(flags & (1 << bit))) continue;
      const name = SHORT_STRINGS.get(bit);
      if (name) {
        const length = buffer.readUInt8(offset);
        fields[name] = buffer.toString("utf8", offset + 1, offset + 1 + length);
        offset += 1 + length;
      } else if (bit === 13) {
        offset += 4 + buffer.readUInt32BE(offset);
      } else if (bit === 12) {
        fields.deliveryMode = buffer.readUInt8(offset++);
      } else if (bit === 11) {
        fields.priority = buffer.readUInt8(offset++);
      } else if (bit === 6) {
        fields.timestamp = Number(buffer.readBigUInt64BE(offset));
        offset += 8;
      }
    }
  } catch {
    // A property list cut short: what was read so far is all there is.
  }
  return fields;
}
