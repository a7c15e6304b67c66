import type { ChannelModel } from "amqplib";
import { handBack } from "../amqp/hand-back";
import type { Filter } from "./filter";
import { type FoundMessage, openChannel, ReadMessage } from "./read";

/** Matches sent to the page; more are counted but not shown (export them instead). */
export const MAX_SHOWN_MATCHES = 500;
const PROGRESS_EVERY = 100;

export type SearchEvent =
  | { type: "start"; queue: string; depth: number; limit: number; filter: string }
  | { type: "progress"; read: number; matched: number; limit: number }
  | { type: "match"; message: FoundMessage }
  | {
      type: "done";
      read: number;
      matched: number;
      shown: number;
      cancelled: boolean;
      /** Every message read was handed back to the queue. */
      requeued: true;
      ms: number;
    };

export interface SearchOptions {
  filter: Filter;
  /** Messages to read at most (≤ MAX_READ; checked by the caller). */
  limit: number;
  depth: number;
  signal?: AbortSignal;
}

/**
 * Reads up to `limit` messages (held unacked), yields progress and the
 * matches as it goes, and hands every message back at the end, cancelled or
 * not. The caller must run the generator to its end or call return() (a
 * cancelled stream does), so the finally block requeues what was taken.
 */
export async function* searchQueue(
  model: ChannelModel | null,
  queue: string,
  { filter, limit, depth, signal }: SearchOptions,
): AsyncGenerator<SearchEvent> {
  const started = Date.now();
  const channel = await openChannel(model);
  let read = 0;
  let matched = 0;
  let shown = 0;
  try {
    yield { type: "start", queue, depth, limit, filter: filter.source };
    while (read < limit && !signal?.aborted) {
      const raw = await channel.get(queue, { noAck: false });
      if (raw === false) break;
      read++;
      const message = new ReadMessage(raw, read, queue);
      if (message.matches(filter)) {
        matched++;
        if (shown < MAX_SHOWN_MATCHES) {
          shown++;
          yield { type: "match", message: message.found(false) };
        }
      }
      if (read % PROGRESS_EVERY === 0) yield { type: "progress", read, matched, limit };
    }
    yield { type: "progress", read, matched, limit };
  } finally {
    await handBack(model, channel, queue, read);
  }
  yield {
    type: "done",
    read,
    matched,
    shown,
    cancelled: Boolean(signal?.aborted),
    requeued: true,
    ms: Date.now() - started,
  };
}
