import type { Channel, ChannelModel, GetMessage } from "amqplib";
import { decodeDeadLetter, fingerprint, MAX_SHOWN_BODY } from "../deadletters/decode";
import { WarrenError } from "../errors";
import { peekCost } from "../queues/delivery-limit";
import { type Filter, type Inspectable, matches } from "./filter";

/**
 * Reading a queue's messages for search, move and export. RabbitMQ has no
 * "browse": a message is read by taking it (basic.get, manual ack) and handing
 * it back (nack + requeue). Everything read is held unacked on one channel of
 * its own until the end, so each message is read once, nobody else gets it
 * meanwhile, and if Warren dies the broker requeues it all.
 */

/** The most messages one search or export reads. */
export const MAX_READ = 5_000;

export type QueueKind = "classic" | "quorum" | "stream" | "unknown";

export interface QueueFacts {
  queue: string;
  depth: number;
  consumers: number;
  kind: QueueKind;
  deliveryLimit: number | null;
}

/** What reading costs on this queue, in words for the page and the API. */
export function readingCost(facts: Pick<QueueFacts, "kind" | "deliveryLimit" | "consumers">): string {
  const parts = [
    "Reading takes each message off the queue and hands it back (requeue): the broker marks it redelivered, and while the read runs the messages read are held by Warren, so consumers cannot get them.",
  ];
  if (facts.kind === "quorum") {
    parts.push(
      facts.deliveryLimit !== null
        ? `On this quorum queue each read counts as a delivery toward its delivery-limit of ${facts.deliveryLimit}: a message near the limit is dead-lettered (or dropped) by reading it.`
        : "On this quorum queue each read counts as a delivery (x-delivery-count goes up); with a delivery-limit policy, reading can dead-letter messages.",
    );
  } else if (facts.kind === "stream") {
    parts.push("Stream queues cannot be read this way (basic.get is not supported on streams).");
  } else if (facts.kind === "classic") {
    parts.push("On this classic queue requeued messages keep their place in the queue.");
  }
  if (facts.consumers > 0) {
    parts.push(
      `It has ${facts.consumers} consumer${facts.consumers === 1 ? "" : "s"}: they would miss the messages held and get them again, redelivered, afterwards.`,
    );
  }
  return parts.join(" ");
}

/** The delivery-limit in force, by the queue page's own rule (the lower of policy and argument). */
function deliveryLimitOf(detail: Record<string, unknown> | null): number | null {
  if (!detail) return null;
  const effective = detail.effective_policy_definition;
  const policy = effective && !Array.isArray(effective) ? (effective as Record<string, unknown>) : {};
  const type = typeof detail.type === "string" ? detail.type : null;
  return peekCost(type, policy, (detail.arguments ?? {}) as Record<string, unknown>).limit;
}

export async function openChannel(model: ChannelModel | null): Promise<Channel> {
  if (!model)
    throw new WarrenError("broker_unavailable", "The message broker is unreachable right now; nothing was read.");
  const channel = await model.createChannel();
  channel.on("error", () => {});
  return channel;
}

/** Depth and consumers over AMQP (instant), type and delivery limit from the management API when it answers. */
export async function queueFacts(
  model: ChannelModel | null,
  queue: string,
  detail: () => Promise<Record<string, unknown> | null>,
): Promise<QueueFacts> {
  // A missing queue closes the channel: ask on a throwaway one.
  const probe = await openChannel(model);
  let depth: number;
  let consumers: number;
  try {
    ({ messageCount: depth, consumerCount: consumers } = await probe.checkQueue(queue));
  } catch {
    throw new WarrenError("not_found", `There is no queue named "${queue}".`);
  } finally {
    await probe.close().catch(() => {});
  }
  const info = await detail().catch(() => null);
  const type = typeof info?.type === "string" ? info.type : null;
  const kind: QueueKind = type === "classic" || type === "quorum" || type === "stream" ? type : "unknown";
  return { queue, depth, consumers, kind, deliveryLimit: deliveryLimitOf(info) };
}

/** Refuses what reading would break: streams always, a queue with consumers unless the operator confirmed. */
export function assertReadable(facts: QueueFacts, confirmedConsumers: boolean): void {
  if (facts.kind === "stream") {
    throw new WarrenError(
      "bad_request",
      `"${facts.queue}" is a stream queue: its messages cannot be taken and requeued.`,
    );
  }
  if (facts.consumers > 0 && !confirmedConsumers) {
    throw new WarrenError(
      "conflict",
      `"${facts.queue}" has ${facts.consumers} consumer${facts.consumers === 1 ? "" : "s"}: reading would take messages from under ${facts.consumers === 1 ? "it" : "them"} and hand them back redelivered. Confirm to read anyway (confirmConsumers: true).`,
    );
  }
}

const busy = new Set<string>();

/** Refuses (409) before a response starts when this process is already reading the queue. */
export function assertFree(queue: string): void {
  if (busy.has(queue)) claimQueue(queue);
}

/** One read per queue at a time in this process: two would each see only part of the queue. */
export function claimQueue(queue: string): () => void {
  if (busy.has(queue)) {
    throw new WarrenError(
      "conflict",
      `Warren is already reading "${queue}" (a search, move or export); try again when it ends.`,
    );
  }
  busy.add(queue);
  return () => busy.delete(queue);
}

/** Message properties and headers as plain JSON (Buffers as text, wrapped numbers unwrapped). */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 32) return "(too deep)";
  if (value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (value instanceof Date) return value.getTime();
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((item) => jsonSafe(item, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = jsonSafe(inner, depth + 1);
    return out;
  }
  return value;
}

/** One message as search shows and export writes it. */
export interface FoundMessage {
  /** 1-based position in this read (the queue's order at the time). */
  position: number;
  /** Stable for a message copy (message id, dead-letter headers and body), the same id the DLQ workbench uses. */
  id: string;
  messageId: string | null;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: string;
  bodyEncoding: "utf8" | "base64";
  bodyBytes: number;
  bodyTruncated: boolean;
  /** The dead-letter reason group (the workbench's grouping), for DLQ exports. */
  group: string;
}

const PROPERTY_NAMES = [
  "contentType",
  "contentEncoding",
  "deliveryMode",
  "priority",
  "correlationId",
  "replyTo",
  "expiration",
  "messageId",
  "timestamp",
  "type",
  "userId",
  "appId",
] as const;

function isUtf8(content: Buffer): boolean {
  return Buffer.from(content.toString("utf8"), "utf8").equals(content);
}

/** A read message, decoded once: what a filter inspects and what is shown or exported. */
export class ReadMessage implements Inspectable {
  readonly body: string;
  readonly headers: Record<string, unknown>;
  readonly properties: Record<string, unknown>;
  readonly utf8: boolean;
  private parsed: { value: unknown } | null = null;

  constructor(
    readonly raw: GetMessage,
    readonly position: number,
    readonly queue: string,
  ) {
    this.utf8 = isUtf8(raw.content);
    this.body = this.utf8 ? raw.content.toString("utf8") : "";
    this.headers = jsonSafe(raw.properties.headers ?? {}) as Record<string, unknown>;
    const properties: Record<string, unknown> = {};
    for (const name of PROPERTY_NAMES) {
      const value = raw.properties[name];
      if (value !== undefined && value !== null) properties[name] = jsonSafe(value);
    }
    properties.redelivered = raw.fields.redelivered;
    properties.exchange = raw.fields.exchange;
    properties.routingKey = raw.fields.routingKey;
    this.properties = properties;
  }

  json(): unknown {
    if (!this.parsed) {
      try {
        this.parsed = { value: this.utf8 ? (JSON.parse(this.body) as unknown) : undefined };
      } catch {
        this.parsed = { value: undefined };
      }
    }
    return this.parsed.value;
  }

  get id(): string {
    return fingerprint(this.raw);
  }

  matches(filter: Filter): boolean {
    return matches(filter, this);
  }

  /** `full`: the whole body (export); otherwise the first 16 KiB (search results on a page). */
  found(full: boolean): FoundMessage {
    const content = full ? this.raw.content : this.raw.content.subarray(0, MAX_SHOWN_BODY);
    const { messageId } = this.raw.properties;
    return {
      position: this.position,
      id: this.id,
      messageId: typeof messageId === "string" ? messageId : null,
      redelivered: this.raw.fields.redelivered,
      exchange: this.raw.fields.exchange,
      routingKey: this.raw.fields.routingKey,
      properties: this.properties,
      headers: this.headers,
      body: this.utf8 ? content.toString("utf8") : content.toString("base64"),
      bodyEncoding: this.utf8 ? "utf8" : "base64",
      bodyBytes: this.raw.content.length,
      bodyTruncated: content.length < this.raw.content.length,
      group: decodeDeadLetter(this.raw, this.queue).group,
    };
  }
}

/** Which messages an operation takes: every one read, the ones with these ids, a filter's matches, or a DLQ reason group. */
export type Selection = { all: true } | { ids: string[] } | { filter: Filter } | { group: string };

export function selector(selection: Selection) {
  if ("all" in selection) return { take: () => true, done: () => false };
  if ("filter" in selection) return { take: (m: ReadMessage) => m.matches(selection.filter), done: () => false };
  if ("group" in selection) {
    return { take: (m: ReadMessage) => decodeDeadLetter(m.raw, m.queue).group === selection.group, done: () => false };
  }
  // A multiset: two identical copies share an id, and selecting it twice takes both.
  const wanted = new Map<string, number>();
  for (const id of selection.ids) wanted.set(id, (wanted.get(id) ?? 0) + 1);
  let left = selection.ids.length;
  return {
    take(m: ReadMessage) {
      const n = wanted.get(m.id) ?? 0;
      if (n === 0) return false;
      wanted.set(m.id, n - 1);
      left--;
      return true;
    },
    /** Every selected id found: reading on would only hold (and hide) more of the queue. */
    done: () => left === 0,
  };
}
