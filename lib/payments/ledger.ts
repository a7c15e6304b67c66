import type { AckTime, DeadLetterProducer, WarrenStore } from "../store/store";
import type { LedgerOutcome, PayableOrder } from "./decide";

/** One delivery for the ledger to record (lib/store: PaymentStore.recordBatch). */
export interface LedgerEntry {
  order: PayableOrder;
  messageId: string;
  redelivered: boolean;
  /** When the consumer received it; defaults to the commit time. */
  deliveredAt?: number;
}

/**
 * What the payment consumer records through: a store's PaymentStore plus its
 * durable(). Synchronous answers are accepted too (the SQLite Ledger class,
 * which tests still hand to the consumer directly).
 */
export interface PaymentLedger {
  recordBatch(entries: LedgerEntry[]): LedgerOutcome[] | Promise<LedgerOutcome[]>;
  recordDeadLetter(
    messageId: string,
    orderId: string | null,
    reason: string,
    redelivered: boolean,
    producer?: DeadLetterProducer,
  ): number | undefined | Promise<number | undefined>;
  recordAcks(acks: AckTime[]): void | Promise<void>;
  /** Resolves once every batch recorded so far is durable: the consumer acks after it. */
  durable(): Promise<void>;
}

/** The ledger of any store, for the payment consumer. */
export function ledgerOf(store: Pick<WarrenStore, "payments" | "durable">): PaymentLedger {
  const { payments } = store;
  return {
    recordBatch: (entries) => payments.recordBatch(entries),
    recordDeadLetter: (messageId, orderId, reason, redelivered, producer) =>
      payments.recordDeadLetter(messageId, orderId, reason, redelivered, producer),
    recordAcks: (acks) => payments.recordAcks(acks),
    durable: () => store.durable(),
  };
}

/**
 * The SQLite ledger with its synchronous methods (tests and the SQLite adapter). It
 * lives with its SQL in lib/store/sqlite.
 */
export { Ledger } from "../store/sqlite/ledger";
