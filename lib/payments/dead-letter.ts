import type { ConsumeMessage } from "amqplib";
import type { ConfirmPublisher } from "../amqp/publisher";
import { DEAD_LETTER_EXCHANGE } from "../amqp/topology";
import { reasonGroup } from "../deadletters/reason-group";
import { isWarrenError } from "../errors";
import type { DeadLetterProducer } from "../store/store";
import type { PaymentLedger } from "./ledger";
import type { Verdict } from "./verdict";

export const REASON_HEADER = "x-warren-reason";
export const ORIGINAL_QUEUE_HEADER = "x-warren-original-queue";
export const DEAD_LETTERED_AT_HEADER = "x-warren-dead-lettered-at";
/** Set when the message's own headers could not travel with it (over amqplib's 64 KiB property buffer). */
export const HEADERS_DROPPED_HEADER = "x-warren-headers-dropped";
const PREVIEW_CHARS = 2000;

function warrenHeaders(message: ConsumeMessage, queue: string, reason: string) {
  return {
    [REASON_HEADER]: reason.slice(0, 1000),
    [ORIGINAL_QUEUE_HEADER]: queue,
    [DEAD_LETTERED_AT_HEADER]: Date.now(),
    "x-warren-redelivered": message.fields.redelivered,
  };
}

/**
 * The headers of a message whose own headers are too big to re-publish: the
 * reason stays, the original headers are replaced by their size and a short
 * preview (the broker accepted the message, so it must reach the DLQ).
 */
export function trimmedHeaders(message: ConsumeMessage, queue: string, reason: string): Record<string, unknown> {
  let preview: string;
  try {
    preview = JSON.stringify(message.properties.headers ?? {}).slice(0, PREVIEW_CHARS);
  } catch {
    preview = "(not representable as JSON)";
  }
  return {
    ...warrenHeaders(message, queue, reason),
    [HEADERS_DROPPED_HEADER]: `the original headers did not fit amqplib's 64 KiB property buffer; first ${PREVIEW_CHARS} characters: ${preview}`,
  };
}

const asText = (value: unknown): string | null =>
  typeof value === "string" && value !== ""
    ? value.slice(0, 200)
    : Buffer.isBuffer(value)
      ? value.toString("utf8").slice(0, 200)
      : null;

/**
 * Who sent it, as far as the message says: `app_id` is the producer's own word (unchecked);
 * `user_id` is checked by RabbitMQ against the publishing connection's user. The publishing
 * connection's name is not in the message: a consumer cannot learn it.
 */
export function producerOf(message: ConsumeMessage, reason: string): DeadLetterProducer {
  return {
    group: reasonGroup(reason),
    appId: asText(message.properties.appId),
    userId: asText(message.properties.userId),
  };
}

/**
 * Publishes a copy of the delivery to the dead-letter exchange with the
 * reason in a header, confirmed, and says what to do with the original:
 * ack once the copy is safe, requeue (later) when the broker could not take it.
 */
export async function deadLetter(
  message: ConsumeMessage,
  reason: string,
  orderId: string | null,
  {
    queue,
    publisher,
    ledger,
    log,
  }: { queue: string; publisher: ConfirmPublisher; ledger: PaymentLedger; log?: (m: string) => void },
): Promise<{ verdict: Verdict; messageId: string; headersDropped: boolean }> {
  const messageId =
    typeof message.properties.messageId === "string" && message.properties.messageId
      ? message.properties.messageId
      : `dead:${message.fields.deliveryTag}:${Date.now()}`;
  const base = {
    messageId,
    persistent: true,
    contentType: message.properties.contentType,
    correlationId: message.properties.correlationId,
    timestamp: message.properties.timestamp,
    type: message.properties.type,
    appId: message.properties.appId,
  };
  const publish = (headers: Record<string, unknown>) =>
    publisher.publish(DEAD_LETTER_EXCHANGE, queue, message.content, { ...base, headers });
  let headersDropped = false;
  try {
    try {
      await publish({ ...(message.properties.headers ?? {}), ...warrenHeaders(message, queue, reason) });
    } catch (error) {
      if (!(isWarrenError(error) && error.code === "publish_failed" && /encoded/.test(error.message))) throw error;
      headersDropped = true;
      await publish(trimmedHeaders(message, queue, reason));
    }
  } catch (error) {
    log?.(`[payments] could not dead-letter a message (${reason}): ${(error as Error).message}; requeueing`);
    return { verdict: { kind: "requeue", delayMs: 1000 }, messageId, headersDropped };
  }
  let deliveryId: number | undefined;
  try {
    deliveryId = await ledger.recordDeadLetter(
      messageId,
      orderId,
      reason,
      message.fields.redelivered,
      producerOf(message, reason),
    );
  } catch {
    // The dead letter itself is safe in the DLQ; the log row is a convenience. With no delivery
    // row written, there is no row for its ack time either (a search for one would scan them all).
    return { verdict: { kind: "ack" }, messageId, headersDropped };
  }
  // The ack time is written by the row's id where the store named it (SQLite has no index by message id).
  return { verdict: { kind: "ack", messageId, deliveryId }, messageId, headersDropped };
}
