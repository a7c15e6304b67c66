import type { PayableOrder } from "./decide";

/** One delivery for the ledger to record (lib/store: PaymentStore.recordBatch). */
export interface LedgerEntry {
  order: PayableOrder;
  messageId: string;
  redelivered: boolean;
  /** When the consumer received it; defaults to the commit time. */
  deliveredAt?: number;
}

/**
 * The SQLite ledger, as the payment consumer takes it today (synchronous
 * recordBatch). It lives with its SQL in lib/store/sqlite; the store
 * interface's PaymentStore is its asynchronous face.
 */
export { Ledger } from "../store/sqlite/ledger";
