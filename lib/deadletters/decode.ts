import { createHash } from "node:crypto";
import type { MessageProperties } from "amqplib";
import { DEAD_LETTERED_AT_HEADER, ORIGINAL_QUEUE_HEADER, REASON_HEADER } from "../payments/consumer";
import { reasonGroup } from "./reason-group";

export { reasonGroup };

export const REDRIVE_COUNT_HEADER = "x-warren-redrive-count";
export const REDRIVEN_AT_HEADER = "x-warren-redriven-at";
export const EDITED_FROM_HEADER = "x-warren-edited-from";

/** Body bytes shown and editable in the workbench; larger bodies are shown truncated and cannot be edited. */
export const MAX_SHOWN_BODY = 16 * 1024;

export interface DeathRecord {
  reason: string;
  count: number;
  queue: string | null;
  exchange: string | null;
  time: number | null;
}

/** One dead-lettered message as the workbench shows it. */
export interface DeadLetter {
  /** Stable for a given message copy: derived from its id, dead-letter time and body, never from its position. */
  id: string;
  messageId: string | null;
  /** Warren's reason, else the broker's newest x-death reason, else "unknown". */
  reason: string;
  /** The reason with ids and numbers blanked, to group "schema: quantity: …" messages together. */
  group: string;
  source: "warren" | "broker" | "unknown";
  originalQueue: string | null;
  deadLetteredAt: number | null;
  /** The broker's x-death records (newest first), when the broker dead-lettered it. */
  deaths: DeathRecord[];
  /** Times the broker dead-lettered it (sum of x-death counts). */
  deathCount: number;
  redriveCount: number;
  editedFrom: string | null;
  contentType: string | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** Whether the body is valid UTF-8 text (editable) or binary (shown as base64). */
  bodyEncoding: "utf8" | "base64";
  orderId: string | null;
}

export interface RawMessage {
  content: Buffer;
  properties: MessageProperties;
}

type Headers = Record<string, unknown>;

function asText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return null;
}

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.getTime();
  if (value && typeof value === "object" && "value" in value) return asNumber((value as { value: unknown }).value);
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return null;
}

/** AMQP timestamps are seconds; Warren's own header is milliseconds. */
function asEpochMs(value: unknown): number | null {
  const n = asNumber(value);
  if (n === null) return null;
  return n < 1e11 ? n * 1000 : n;
}

export function decodeDeaths(headers: Headers): DeathRecord[] {
  const raw = headers["x-death"];
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((entry): entry is Headers => typeof entry === "object" && entry !== null)
    .map((entry) => ({
      reason: asText(entry.reason) ?? "unknown",
      count: asNumber(entry.count) ?? 1,
      queue: asText(entry.queue),
      exchange: asText(entry.exchange),
      time: asEpochMs(entry.time),
    }));
}

export function fingerprint(message: RawMessage): string {
  const headers = (message.properties.headers ?? {}) as Headers;
  const deaths = decodeDeaths(headers);
  return createHash("sha256")
    .update(
      JSON.stringify([
        message.properties.messageId ?? null,
        asNumber(headers[DEAD_LETTERED_AT_HEADER]),
        asNumber(headers[REDRIVE_COUNT_HEADER]),
        deaths.map((d) => [d.queue, d.reason, d.count, d.time]),
      ]),
    )
    .update(message.content)
    .digest("hex")
    .slice(0, 20);
}

function isUtf8(content: Buffer): boolean {
  return Buffer.from(content.toString("utf8"), "utf8").equals(content);
}

function orderIdOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && "orderId" in parsed) {
      const id = (parsed as { orderId: unknown }).orderId;
      if (typeof id === "string" || typeof id === "number") return String(id);
    }
  } catch {
    // not JSON: no order id to show
  }
  return null;
}

export function decodeDeadLetter(message: RawMessage, dlq: string): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Headers;
  const deaths = decodeDeaths(headers);
  const warrenReason = asText(headers[REASON_HEADER]);
  const newest = deaths[0];
  const reason = warrenReason ?? (newest ? `${newest.reason} (broker)` : "unknown");
  const text = isUtf8(message.content);
  const shown = message.content.subarray(0, MAX_SHOWN_BODY);
  const body = text ? shown.toString("utf8") : shown.toString("base64");
  const messageId = asText(message.properties.messageId);
  return {
    id: fingerprint(message),
    messageId,
    reason,
    group: warrenReason ? reasonGroup(warrenReason) : newest ? `${newest.reason} (broker)` : "unknown",
    source: warrenReason ? "warren" : newest ? "broker" : "unknown",
    originalQueue: originalQueueOf(headers, dlq),
    deadLetteredAt: asEpochMs(headers[DEAD_LETTERED_AT_HEADER]) ?? newest?.time ?? null,
    deaths,
    deathCount: deaths.reduce((sum, d) => sum + d.count, 0),
    redriveCount: asNumber(headers[REDRIVE_COUNT_HEADER]) ?? 0,
    editedFrom: asText(headers[EDITED_FROM_HEADER]),
    contentType: asText(message.properties.contentType),
    body,
    bodyBytes: message.content.length,
    bodyTruncated: message.content.length > MAX_SHOWN_BODY,
    bodyEncoding: text ? "utf8" : "base64",
    orderId: text ? orderIdOf(message.content.toString("utf8")) : null,
  };
}

/** Where a redrive sends the message: Warren's header, the broker's x-death, or the DLQ name minus ".dlq". */
export function originalQueueOf(headers: Headers, dlq: string): string | null {
  const warren = asText(headers[ORIGINAL_QUEUE_HEADER]);
  if (warren) return warren;
  const deaths = decodeDeaths(headers);
  const fromDeath = deaths.find((d) => d.queue && d.queue !== dlq)?.queue;
  if (fromDeath) return fromDeath;
  return dlq.endsWith(".dlq") ? dlq.slice(0, -".dlq".length) : null;
}

/**
 * The message id an edited body carries. An edit makes a new message, so it
 * gets a new id (ids name content for anyone deduplicating by message id),
 * derived from the original id and the new body: redriving the same edit twice
 * gives the same id, and the ledger still decides by order id and content
 * (same order, same content = duplicate; same order, other content = conflict).
 */
export function editedMessageId(originalId: string | null, body: Buffer): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return `${originalId ?? "message"}~edit-${hash}`.slice(0, 255);
}

/** Headers for the redriven copy: Warren's dead-letter headers go (the consumer sets fresh ones), the count goes up. */
export function redriveHeaders(headers: Headers, now: number, editedFrom: string | null): Headers {
  const next: Headers = { ...headers };
  delete next[REASON_HEADER];
  delete next[ORIGINAL_QUEUE_HEADER];
  delete next[DEAD_LETTERED_AT_HEADER];
  delete next["x-warren-redelivered"];
  next[REDRIVE_COUNT_HEADER] = (asNumber(headers[REDRIVE_COUNT_HEADER]) ?? 0) + 1;
  next[REDRIVEN_AT_HEADER] = now;
  if (editedFrom !== null) next[EDITED_FROM_HEADER] = editedFrom;
  return next;
}
