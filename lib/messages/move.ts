import { randomUUID } from "node:crypto";
import type { ChannelModel } from "amqplib";
import { RateLimiterMemory, RateLimiterQueue } from "rate-limiter-flexible";
import { handBack } from "../amqp/hand-back";
import type { ConfirmPublisher } from "../amqp/publisher";
import { isWarrenError } from "../errors";
import { openChannel, ReadMessage, type Selection, selector } from "./read";

/** The most messages one move or copy reads. */
export const MAX_MOVE = 100_000;
export const MAX_RATE = 10_000;
/** Publishes awaiting their confirm at once (each acks its source copy when confirmed). */
const WINDOW = 64;
const PROGRESS_EVERY = 100;
export const MOVED_FROM_HEADER = "x-warren-moved-from";

export type MoveTarget = { queue: string } | { exchange: string; routingKey: string };

export function describeTarget(target: MoveTarget): string {
  return "queue" in target
    ? `queue ${target.queue}`
    : `exchange ${target.exchange || "(default)"} with routing key "${target.routingKey}"`;
}

export interface MoveOptions {
  mode: "move" | "copy";
  target: MoveTarget;
  selection: Selection;
  /** Messages read at most. */
  limit: number;
  /** Publishes per second at most (a token bucket: rate-limiter-flexible's RateLimiterQueue). */
  ratePerSecond: number;
  depth: number;
  signal?: AbortSignal;
}

export interface MoveSummary {
  read: number;
  selected: number;
  /** Published, confirmed, and (move) the source copy acked. */
  done: number;
  failed: number;
  errors: string[];
  cancelled: boolean;
  ms: number;
}

export type MoveEvent =
  | { type: "start"; queue: string; depth: number; limit: number; mode: "move" | "copy"; target: string }
  | { type: "progress"; read: number; selected: number; done: number; failed: number; limit: number }
  | ({ type: "done"; mode: "move" | "copy" } & MoveSummary);

/**
 * Moves or copies messages with nothing lost or doubled: each selected
 * message is published on the confirm channel and, only once the broker
 * confirmed the new copy, acked on the source (move) or left held to be
 * requeued at the end (copy). A failed publish leaves the source copy held,
 * and it goes back to the source queue with everything not selected.
 */
export async function* moveMessages(
  model: ChannelModel | null,
  publisher: ConfirmPublisher,
  queue: string,
  options: MoveOptions,
): AsyncGenerator<MoveEvent> {
  const { mode, target, selection, limit, ratePerSecond, depth, signal } = options;
  const started = Date.now();
  const channel = await openChannel(model);
  const limiter = new RateLimiterQueue(new RateLimiterMemory({ points: ratePerSecond, duration: 1 }));
  const select = selector(selection);
  const summary: MoveSummary = { read: 0, selected: 0, done: 0, failed: 0, errors: [], cancelled: false, ms: 0 };
  const inFlight = new Set<Promise<void>>();
  const [exchange, routingKey] = "queue" in target ? ["", target.queue] : [target.exchange, target.routingKey];
  const progress = (): MoveEvent => ({ type: "progress", ...summary, limit });
  try {
    yield { type: "start", queue, depth, limit, mode, target: describeTarget(target) };
    while (summary.read < limit && !signal?.aborted && !select.done()) {
      const raw = await channel.get(queue, { noAck: false });
      if (raw === false) break;
      summary.read++;
      const message = new ReadMessage(raw, summary.read, queue);
      if (select.take(message)) {
        summary.selected++;
        await limiter.removeTokens(1);
        // user_id is checked by the broker against the publishing connection's user: a copy keeping
        // another producer's user_id would be refused with a channel close, on the channel the outbox shares.
        const { userId: _producerUser, ...properties } = raw.properties;
        const task = publisher
          .publish(exchange, routingKey, raw.content, {
            ...properties,
            // The confirm publisher tells a returned (unroutable) message by its id: every copy needs one.
            messageId: typeof properties.messageId === "string" ? properties.messageId : `moved:${randomUUID()}`,
            headers: { ...(properties.headers ?? {}), [MOVED_FROM_HEADER]: queue },
            persistent: properties.deliveryMode !== 1,
          })
          .then(() => {
            // Only now, with the new copy confirmed, does the source copy go (a copy stays held, requeued at the end).
            if (mode === "move") channel.ack(raw);
            summary.done++;
          })
          .catch((error: unknown) => {
            summary.failed++;
            if (summary.errors.length < 5) {
              summary.errors.push(isWarrenError(error) ? error.message : "the publish failed");
            }
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= WINDOW) await Promise.race(inFlight);
      }
      if (summary.read % PROGRESS_EVERY === 0) yield progress();
    }
    await Promise.all(inFlight);
    yield progress();
  } finally {
    await Promise.all(inFlight);
    await handBack(model, channel, queue, mode === "move" ? summary.read - summary.done : summary.read);
  }
  summary.cancelled = Boolean(signal?.aborted);
  summary.ms = Date.now() - started;
  yield { type: "done", mode, ...summary };
}
