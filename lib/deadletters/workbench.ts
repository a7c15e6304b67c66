import type { Channel, ChannelModel, GetMessage } from "amqplib";
import { handBack } from "../amqp/hand-back";
import type { ConfirmPublisher } from "../amqp/publisher";
import { WarrenError } from "../errors";
import { MAX_MESSAGE_BYTES } from "../payments/decide";
import { type DeadLetter, decodeDeadLetter, editedMessageId, REDRIVEN_AT_HEADER, redriveHeaders } from "./decode";
import { type DryRunCandidate, type Prediction, predictRedrive } from "./dry-run";

/**
 * The dead-letter workbench reads the DLQ over AMQP, never copying it
 * elsewhere: the broker stays the one place a dead letter lives.
 *
 * - Browsing takes up to N messages with basic.get (manual ack) on a channel
 *   of its own, decodes them, and hands every one back (closing the channel
 *   requeues them; `handBack` waits until the queue shows them), so a look
 *   changes nothing but the redelivered flag.
 * - An action scans the queue the same way, holding what it reads unacked
 *   (so no one else can take it meanwhile), acts on the messages whose stable
 *   id was selected, and requeues the rest. It reads until the queue answers
 *   empty, skipping copies this very action redrove that failed again. A redrive acks the DLQ copy only
 *   after the broker confirmed the republished one; if the publish fails, the
 *   copy goes back to the DLQ untouched.
 *
 * Why not drain into a table? A copy outside the broker would be a second
 * truth: the DLQ depth on the dashboard would lie, other tools could no
 * longer see the messages, and a crash between the copy and the ack would
 * duplicate them. Holding unacked is safe: if Warren dies mid-scan, the broker
 * requeues everything it held.
 */

export interface BrowseResult {
  queue: string;
  /** Ready messages in the DLQ when the browse started. */
  depth: number;
  messages: DeadLetter[];
  /** True when the DLQ holds more than were read. */
  more: boolean;
  /** When the read finished and every message was handed back (epoch ms). */
  readAt: number;
}

export type Selection = { ids: string[] } | { all: true; group?: string };

export interface ActRequest {
  dlq: string;
  action: "redrive" | "discard";
  selection: Selection;
  /** A new body for one selected message (redrive only). */
  edit?: { id: string; body: string };
  /** Upper bound on messages read in one action. */
  maxScan?: number;
  now?: () => number;
}

export interface ActResult {
  action: "redrive" | "discard";
  scanned: number;
  redriven: Array<{ id: string; messageId: string; queue: string; edited: boolean }>;
  discarded: string[];
  failed: Array<{ id: string; error: string }>;
  /** Selected ids not found (handled elsewhere meanwhile, or beyond the scan limit). */
  missing: string[];
}

const locks = new Map<string, Promise<unknown>>();
const EMPTY_RETRIES = 3;
const REDRIVE_WINDOW = 64;

/** One scan per DLQ at a time in this process, or two scans would hide messages from each other. */
async function serialized<T>(queue: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(queue) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(work);
  locks.set(queue, run);
  try {
    return await run;
  } finally {
    if (locks.get(queue) === run) locks.delete(queue);
  }
}

async function openChannel(model: ChannelModel | null): Promise<Channel> {
  if (!model) {
    throw new WarrenError("broker_unavailable", "The message broker is unreachable right now; nothing was changed.");
  }
  const channel = await model.createChannel();
  channel.on("error", () => {});
  return channel;
}

async function depthOf(channel: Channel, queue: string): Promise<number> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    throw new WarrenError("not_found", `Queue "${queue}" does not exist on the broker.`);
  }
}

export async function browseDeadLetters(model: ChannelModel | null, dlq: string, limit = 200): Promise<BrowseResult> {
  const read = await serialized(dlq, async () => {
    const channel = await openChannel(model);
    const messages: DeadLetter[] = [];
    try {
      // A missing queue closes the channel; check on a throwaway one first.
      const probe = await openChannel(model);
      const depth = await depthOf(probe, dlq).finally(() => probe.close().catch(() => {}));
      while (messages.length < limit) {
        const message = await channel.get(dlq, { noAck: false });
        if (message === false) break;
        messages.push(decodeDeadLetter(message, dlq));
      }
      return { queue: dlq, depth, messages, more: depth > messages.length };
    } finally {
      await handBack(model, channel, dlq, messages.length);
    }
  });
  return { ...read, readAt: Date.now() };
}

function matcher(selection: Selection) {
  if ("all" in selection) {
    return {
      take: (m: DeadLetter) => selection.group === undefined || m.group === selection.group,
      missing: () => [],
      pending: () => false,
    };
  }
  // A multiset: two identical copies share an id, and selecting it twice takes both.
  const wanted = new Map<string, number>();
  for (const id of selection.ids) wanted.set(id, (wanted.get(id) ?? 0) + 1);
  return {
    take(m: DeadLetter) {
      const left = wanted.get(m.id) ?? 0;
      if (left === 0) return false;
      wanted.set(m.id, left - 1);
      return true;
    },
    missing: () => [...wanted.entries()].flatMap(([id, n]) => Array<string>(n).fill(id)),
    pending: () => [...wanted.values()].some((n) => n > 0),
  };
}

function headerNumber(message: GetMessage, name: string): number | null {
  const value = message.properties.headers?.[name];
  return typeof value === "number" ? value : null;
}

export async function actOnDeadLetters(
  model: ChannelModel | null,
  publisher: ConfirmPublisher,
  request: ActRequest,
): Promise<ActResult> {
  const { dlq, action, selection, edit, maxScan = 10_000, now = Date.now } = request;
  if (edit && action !== "redrive") throw new WarrenError("bad_request", "Only a redrive can carry an edited body.");
  if (edit && !("ids" in selection && selection.ids.length === 1 && selection.ids[0] === edit.id)) {
    throw new WarrenError("bad_request", "An edited body applies to exactly one selected message.");
  }
  const editedBody = edit ? Buffer.from(edit.body, "utf8") : null;
  if (editedBody && editedBody.length > MAX_MESSAGE_BYTES) {
    throw new WarrenError("payload_too_large", `The edited body is over ${MAX_MESSAGE_BYTES} bytes.`);
  }
  return serialized(dlq, async () => {
    const channel = await openChannel(model);
    const startedAt = now();
    const result: ActResult = { action, scanned: 0, redriven: [], discarded: [], failed: [], missing: [] };
    const select = matcher(selection);
    try {
      const probe = await openChannel(model);
      await depthOf(probe, dlq).finally(() => probe.close().catch(() => {}));
      let emptyReads = 0;
      const inFlight = new Set<Promise<void>>();
      while (result.scanned < maxScan) {
        const message = await channel.get(dlq, { noAck: false });
        if (message === false) {
          // Another reader (another Warren process) may be handing messages back right now:
          // look again briefly before reporting selected ids as gone.
          if (select.pending() && emptyReads < EMPTY_RETRIES) {
            emptyReads++;
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
          }
          break;
        }
        result.scanned++;
        // A message this very action redrove that failed again is back already: leave it for next time.
        const redrivenAt = headerNumber(message, REDRIVEN_AT_HEADER);
        if (redrivenAt !== null && redrivenAt >= startedAt) continue;
        const decoded = decodeDeadLetter(message, dlq);
        if (!select.take(decoded)) continue;
        const lastWanted = "ids" in selection && !select.pending();
        if (action === "discard") {
          channel.ack(message);
          result.discarded.push(decoded.id);
          if (lastWanted) break;
          continue;
        }
        // Redrives are pipelined (a window of confirms in flight); each acks its own DLQ copy after its confirm.
        const task = redriveOne(channel, publisher, message, decoded, edit ? editedBody : null, now())
          .then((done) => {
            result.redriven.push(done);
          })
          .catch((error: Error) => {
            result.failed.push({ id: decoded.id, error: error.message });
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= REDRIVE_WINDOW) await Promise.race(inFlight);
        // Every selected id found: no need to hold (and hide) the rest of the queue any longer.
        if (lastWanted) break;
      }
      await Promise.all(inFlight);
      result.missing = select.missing();
      return result;
    } finally {
      // Everything scanned and not acked (skipped, unselected, failed redrives) is still held.
      await handBack(model, channel, dlq, result.scanned - result.discarded.length - result.redriven.length);
    }
  });
}

async function redriveOne(
  channel: Channel,
  publisher: ConfirmPublisher,
  message: GetMessage,
  decoded: DeadLetter,
  editedBody: Buffer | null,
  at: number,
): Promise<ActResult["redriven"][number]> {
  const queue = decoded.originalQueue;
  if (!queue) throw new WarrenError("bad_request", "No original queue is known for this message.");
  const edited = editedBody !== null && !editedBody.equals(message.content);
  const body = edited && editedBody ? editedBody : message.content;
  const originalId = decoded.messageId;
  const messageId = edited ? editedMessageId(originalId, body) : (originalId ?? editedMessageId(null, body));
  const { properties } = message;
  // The default exchange routes straight to the original queue, whatever exchange first carried it.
  await publisher.publish("", queue, body, {
    messageId,
    persistent: true,
    contentType: properties.contentType ?? "application/json",
    correlationId: properties.correlationId,
    timestamp: properties.timestamp,
    type: properties.type,
    appId: properties.appId,
    headers: redriveHeaders(properties.headers ?? {}, at, edited ? originalId : null),
  });
  // Only now, with the new copy confirmed, does the DLQ copy go.
  channel.ack(message);
  return { id: decoded.id, messageId, queue, edited };
}

export interface DryRunRequest {
  dlq: string;
  selection: Selection;
  /** A new body for one selected message, predicted instead of the stored one. */
  edit?: { id: string; body: string };
  maxScan?: number;
}

export interface DryRunResult {
  scanned: number;
  predictions: Array<{ id: string; messageId: string | null; orderId: string | null; prediction: Prediction }>;
  /** Selected ids not found in the queue. */
  missing: string[];
}

/**
 * What a redrive of the selection would do now, without publishing or
 * acking anything: reads the DLQ as a redrive does (held unacked, so the
 * order is the redrive's), hands every message back, then predicts each
 * with the consumer's decision code against the ledger (`paidHashes`).
 */
export async function dryRunDeadLetters(
  model: ChannelModel | null,
  paidHashes: (orderIds: string[]) => Promise<Map<string, string>>,
  request: DryRunRequest,
): Promise<DryRunResult> {
  const { dlq, selection, edit, maxScan = 10_000 } = request;
  const read = await serialized(dlq, async () => {
    const channel = await openChannel(model);
    const select = matcher(selection);
    const found: Array<DryRunCandidate & { messageId: string | null }> = [];
    let scanned = 0;
    try {
      const probe = await openChannel(model);
      await depthOf(probe, dlq).finally(() => probe.close().catch(() => {}));
      while (scanned < maxScan) {
        const message = await channel.get(dlq, { noAck: false });
        if (message === false) break;
        scanned++;
        const decoded = decodeDeadLetter(message, dlq);
        if (!select.take(decoded)) continue;
        const edited = edit && edit.id === decoded.id ? Buffer.from(edit.body, "utf8") : null;
        found.push({
          id: decoded.id,
          messageId: decoded.messageId,
          content: edited ?? message.content,
          timestamp: message.properties.timestamp,
          originalQueue: decoded.originalQueue,
        });
        if ("ids" in selection && !select.pending()) break;
      }
      return { scanned, found, missing: select.missing() };
    } finally {
      await handBack(model, channel, dlq, scanned);
    }
  });
  const candidates = read.found;
  const orderIds = predictRedrive(candidates, new Map())
    .map((p) => p.orderId)
    .filter((id): id is string => id !== null);
  const predicted = predictRedrive(candidates, await paidHashes([...new Set(orderIds)]));
  return {
    scanned: read.scanned,
    missing: read.missing,
    predictions: predicted.map((p, i) => ({ ...p, messageId: candidates[i]?.messageId ?? null })),
  };
}
