import type { ConsumeMessage } from "amqplib";
import { UNDECODABLE_HEADER } from "../amqp/tolerant-frames";
import type { AbsorbedCause } from "../store/store";
import { isPartialBatch, isStoreUnavailable } from "../store/unavailable";
import type { BatchTrace } from "../tracing/spans";
import { decodeOrderMessage, type LedgerOutcome, type PayableOrder, type Payment } from "./decide";
import type { LedgerEntry, PaymentLedger } from "./ledger";
import type { Verdict } from "./verdict";

/** How many times a delivery may fail for reasons of ours (DB error) before it is dead-lettered. */
export const MAX_HANDLER_ATTEMPTS = 3;

export interface BatchItem {
  message: ConsumeMessage;
  receivedAt: number;
}

export interface BatchResult {
  /** One verdict per item, in order. */
  verdicts: Verdict[];
  paid: Payment[];
  duplicates: Array<{ orderId: string; messageId: string }>;
  /** Duplicates and conflicts the ledger absorbed, with why they came (lib/books/cost.ts). */
  absorbed: Array<{ orderId: string; kind: "duplicate" | "conflict"; cause: AbsorbedCause }>;
}

/**
 * The store as the consumer's batches find it: away (since when, and why) or not. Readiness reads
 * it (a consumer whose database is away pays nothing, whatever its subscription says), and while
 * the store is away it logs one line every 5 s with how many deliveries waited, not one per
 * delivery per second (a hundred lines a second at prefetch 100, in a probe's 73 s outage).
 */
export class StoreWatch {
  private away_: { since: number; error: string } | null = null;
  private lastAwayAt = 0;
  private waited = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log?: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The store as the last batches found it, or null. It lapses STORE_AWAY_LAPSE_MS after the last
   * delivery that found it away: a consumer that gets no more deliveries (paused, or its requeued
   * ones went to another worker) must not report a database that has come back as away for hours.
   */
  get unavailable(): { since: number; error: string } | null {
    // Not while a batch is still trying the store: one try may take seconds to fail (a locked file
    // waits 5 s, an unreachable server's connect 5 s), and health would read ready in the middle.
    if (this.away_ && this.trying === 0 && this.now() - this.lastAwayAt > STORE_AWAY_LAPSE_MS) this.back();
    return this.away_;
  }

  /** Batches being recorded right now (payBatch counts them). */
  trying = 0;

  /** A delivery waits because the store is away. */
  away(error: Error, orderId: string): void {
    const now = this.now();
    this.away_ = { since: this.away_?.since ?? now, error: error.message };
    this.lastAwayAt = now;
    this.waited++;
    if (now - this.loggedAt < STORE_LOG_EVERY_MS) return;
    this.log?.(
      `[payments] store unavailable (${error.message}): ${this.waited} ${this.waited === 1 ? "delivery waits" : "deliveries wait"} for it (the last: ${orderId}); nothing is dead-lettered for it`,
    );
    this.loggedAt = now;
    this.waited = 0;
  }

  /** The store recorded something: it is back. */
  back(): void {
    if (!this.away_) return;
    const seconds = ((this.now() - this.away_.since) / 1000).toFixed(1);
    this.log?.(`[payments] store available again (or no delivery has found it away since) after ${seconds} s`);
    this.away_ = null;
    this.waited = 0;
    this.loggedAt = Number.NEGATIVE_INFINITY;
  }
}

const STORE_LOG_EVERY_MS = 5000;
/** A requeued delivery comes back within about a second (its requeue delay): three without one is news. */
const STORE_AWAY_LAPSE_MS = 3000;

/**
 * Pays one batch of deliveries: decode, record in ONE ledger transaction,
 * wait for the WAL to be on disk, and say what to do with each delivery.
 * `failures` counts our own failures per message id across batches.
 */
export async function payBatch(
  batch: BatchItem[],
  ledger: PaymentLedger,
  failures: Map<string, number>,
  log?: (message: string) => void,
  /** The batch's spans (lib/tracing), null when tracing is off: the commit gets one span per delivery. */
  spans: BatchTrace | null = null,
  /** Where a store that is away is noted (the consumer's, for readiness); one of its own otherwise. */
  store: StoreWatch = new StoreWatch(log),
): Promise<BatchResult> {
  const verdicts: Verdict[] = new Array(batch.length);
  const payable: Array<{ index: number; entry: LedgerEntry }> = [];
  batch.forEach((item, index) => {
    const { content, properties } = item.message;
    const undecodable = properties.headers?.[UNDECODABLE_HEADER];
    if (undecodable !== undefined) {
      verdicts[index] = {
        kind: "dead-letter",
        reason: `undecodable message properties: ${String(undecodable)}`,
        orderId: null,
      };
      return;
    }
    const decoded = decodeOrderMessage(content, properties.timestamp);
    if (decoded.kind === "invalid") verdicts[index] = { kind: "dead-letter", reason: decoded.reason, orderId: null };
    else payable.push({ index, entry: entryOf(item, decoded.order) });
  });

  const giveUpOrRetry = (index: number, entry: LedgerEntry, error: Error) => {
    if (isStoreUnavailable(error)) {
      // The database is away (restarting, unreachable, full): nothing is wrong with the message.
      // It waits, however long that takes, instead of using up its attempts and being dead-lettered.
      store.away(error, entry.order.orderId);
      verdicts[index] = { kind: "requeue", delayMs: 1000 };
      return;
    }
    const attempts = (failures.get(entry.messageId) ?? 0) + 1;
    failures.set(entry.messageId, attempts);
    if (attempts >= MAX_HANDLER_ATTEMPTS) {
      failures.delete(entry.messageId);
      verdicts[index] = {
        kind: "dead-letter",
        reason: `handler failed ${attempts} times: ${error.message}`,
        orderId: entry.order.orderId,
      };
      return;
    }
    log?.(`[payments] recording ${entry.order.orderId} failed (attempt ${attempts}): ${error.message}`);
    verdicts[index] = { kind: "requeue", delayMs: 200 * attempts };
  };

  let outcomes: Array<LedgerOutcome | undefined> = [];
  const commit = payable.length > 0 ? spans?.commit(payable.map((p) => p.index)) : undefined;
  let commitError: unknown;
  store.trying++;
  try {
    outcomes = await ledger.recordBatch(payable.map((p) => p.entry));
  } catch (error) {
    // One entry (or the DB) failed: record them one by one, so only a failing one counts an attempt
    // and a message that makes the handler throw cannot drag good ones into the DLQ with it. What the
    // store says it did commit is kept (recorded again, a payment would read as its own duplicate).
    // Not once the store itself is found away: each entry would wait out its own timeout against it
    // (5 s each for a locked SQLite file or an unreachable server, minutes for a batch), so the rest
    // wait at once.
    const known = isPartialBatch<LedgerOutcome>(error) ? error.outcomes : [];
    const cause = (isPartialBatch(error) ? error.failure : error) as Error;
    let away: Error | null = isStoreUnavailable(cause) ? cause : null;
    outcomes = [];
    for (const [i, { index, entry }] of payable.entries()) {
      const committed = known[i];
      if (committed) {
        outcomes.push(committed);
        continue;
      }
      if (away) {
        giveUpOrRetry(index, entry, away);
        outcomes.push(undefined);
        continue;
      }
      try {
        outcomes.push((await ledger.recordBatch([entry]))[0]);
      } catch (error) {
        if (isStoreUnavailable(error)) away = error as Error;
        giveUpOrRetry(index, entry, error as Error);
        outcomes.push(undefined);
      }
    }
  } finally {
    store.trying--;
  }

  if (outcomes.some((outcome) => outcome !== undefined)) {
    try {
      // The commit above did not fsync (that would stall the event loop): nothing is acked
      // or announced until the WAL is on disk.
      await ledger.durable();
    } catch (error) {
      // Unknown whether it reached the disk: let it come again; the ledger then finds the
      // row (a duplicate, acked) or records it anew.
      payable.forEach(({ index, entry }, i) => {
        if (outcomes[i]) giveUpOrRetry(index, entry, error as Error);
      });
      outcomes = [];
      commitError = error;
    }
  }
  commit?.end(commitError ?? (outcomes.some((outcome) => outcome !== undefined) ? undefined : "nothing recorded"));
  if (outcomes.some((outcome) => outcome !== undefined)) store.back();

  const paid: Payment[] = [];
  const duplicates: BatchResult["duplicates"] = [];
  const absorbed: BatchResult["absorbed"] = [];
  payable.forEach(({ index, entry }, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    if (outcome.kind !== "paid") {
      absorbed.push({ orderId: outcome.orderId, kind: outcome.kind, cause: outcome.cause ?? "producer_resend" });
    }
    if (outcome.kind === "conflict") {
      verdicts[index] = { kind: "dead-letter", reason: outcome.reason, orderId: entry.order.orderId };
      return;
    }
    failures.delete(entry.messageId);
    verdicts[index] = {
      kind: "ack",
      messageId: entry.messageId,
      orderId: entry.order.orderId,
      deliveryId: outcome.deliveryId,
    };
    if (outcome.kind === "paid") paid.push(outcome.payment);
    else duplicates.push({ orderId: outcome.orderId, messageId: entry.messageId });
  });
  return { verdicts, paid, duplicates, absorbed };
}

function entryOf({ message, receivedAt }: BatchItem, order: PayableOrder): LedgerEntry {
  const id = message.properties.messageId;
  return {
    order,
    messageId: typeof id === "string" && id.length > 0 ? id : `order:${order.orderId}`,
    redelivered: message.fields.redelivered,
    deliveredAt: receivedAt,
  };
}
