import type { ChannelModel } from "amqplib";
import { handBack } from "../amqp/hand-back";
import { openChannel, ReadMessage, type Selection, selector } from "./read";

export const MESSAGE_COLUMNS = [
  "position",
  "id",
  "messageId",
  "redelivered",
  "exchange",
  "routingKey",
  "group",
  "bodyEncoding",
  "bodyBytes",
  "body",
  "properties",
  "headers",
] as const;

/**
 * The selected messages of up to `limit` read, whole bodies (base64 when not UTF-8), one row at a
 * time as they are read; every message read is held until the end and then handed back.
 */
export async function* exportMessages(
  model: ChannelModel | null,
  queue: string,
  selection: Selection,
  limit: number,
  signal?: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  const channel = await openChannel(model);
  const select = selector(selection);
  let read = 0;
  try {
    while (read < limit && !signal?.aborted && !select.done()) {
      const raw = await channel.get(queue, { noAck: false });
      if (raw === false) break;
      read++;
      const message = new ReadMessage(raw, read, queue);
      if (!select.take(message)) continue;
      const { bodyTruncated: _, ...row } = message.found(true);
      yield row;
    }
  } finally {
    await handBack(model, channel, queue, read);
  }
}
