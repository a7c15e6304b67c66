import { classifyExisting, decodeOrderMessage } from "../payments/decide";

/** What the payment service would do with a redriven message, as of now. */
export type Prediction =
  | { kind: "pay"; orderId: string }
  | { kind: "duplicate"; orderId: string }
  | { kind: "conflict"; orderId: string; reason: string }
  | { kind: "invalid"; reason: string; fields: string[] }
  /** The redrive itself would fail: no original queue is known to send it to. */
  | { kind: "unroutable"; reason: string };

export interface DryRunCandidate {
  id: string;
  /** The body a redrive would publish (the edited one, if any). */
  content: Buffer;
  /** The AMQP timestamp (seconds) the redrive keeps, which the consumer may read as placedAt. */
  timestamp?: number;
  originalQueue: string | null;
}

/**
 * Predicts each message with the consumer's own decision code
 * (decodeOrderMessage, then the ledger's classifyExisting against the hash an
 * order was paid with), in redrive order: a message the dry-run expects to
 * pay counts as paid for the ones after it, as the ledger would see it.
 */
export function predictRedrive(
  candidates: DryRunCandidate[],
  paid: ReadonlyMap<string, string>,
): Array<{ id: string; orderId: string | null; prediction: Prediction }> {
  const ledger = new Map(paid);
  return candidates.map(({ id, content, timestamp, originalQueue }) => {
    if (!originalQueue) {
      return { id, orderId: null, prediction: { kind: "unroutable", reason: "no original queue is known" } };
    }
    const decoded = decodeOrderMessage(content, timestamp);
    if (decoded.kind === "invalid") {
      return {
        id,
        orderId: null,
        prediction: { kind: "invalid", reason: decoded.reason, fields: decoded.fields ?? [] },
      };
    }
    const { order } = decoded;
    const existing = ledger.get(order.orderId);
    if (existing === undefined) {
      ledger.set(order.orderId, order.bodyHash);
      return { id, orderId: order.orderId, prediction: { kind: "pay", orderId: order.orderId } };
    }
    const outcome = classifyExisting(existing, order);
    const prediction: Prediction =
      outcome.kind === "conflict"
        ? { kind: "conflict", orderId: order.orderId, reason: outcome.reason }
        : { kind: "duplicate", orderId: order.orderId };
    return { id, orderId: order.orderId, prediction };
  });
}
