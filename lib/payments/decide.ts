import crypto from "node:crypto";
import { describeIssues, orderMessageSchema, plainOrderMessage } from "../orders/schema";
import type { AbsorbedCause } from "../store/store";

export const MAX_MESSAGE_BYTES = 64 * 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export interface PayableOrder {
  orderId: string;
  item: string;
  quantity: number;
  placedAt: number | null;
  /** Identifies the order's content, so a re-sent order is told apart from a colliding id. */
  bodyHash: string;
}

/** `fields`: the body's fields that failed the schema (empty when the body as a whole is unusable). */
export type Decoded = { kind: "payable"; order: PayableOrder } | { kind: "invalid"; reason: string; fields?: string[] };

/** Decides what a raw delivery is, without any I/O. */
export function decodeOrderMessage(content: Buffer, timestampSeconds?: number): Decoded {
  if (content.length > MAX_MESSAGE_BYTES) {
    return { kind: "invalid", reason: `message too large: ${content.length} bytes (limit ${MAX_MESSAGE_BYTES})` };
  }
  let text: string;
  try {
    // Node's default decoder turns bad bytes into U+FFFD, which would then be paid as if sent.
    text = strictUtf8.decode(content);
  } catch {
    return { kind: "invalid", reason: "not UTF-8: the body has bytes that are not valid UTF-8" };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", reason: `not JSON: ${(error as Error).message}` };
  }
  let message = plainOrderMessage(json);
  if (message === null) {
    const parsed = orderMessageSchema.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(body)"))];
      return { kind: "invalid", reason: `schema: ${describeIssues(parsed.error)}`, fields };
    }
    message = parsed.data;
  }
  const { orderId, item, quantity, placedAt } = message;
  const fallbackPlacedAt =
    typeof timestampSeconds === "number" && timestampSeconds > 0 ? timestampSeconds * 1000 : null;
  return {
    kind: "payable",
    order: {
      orderId,
      item,
      quantity,
      placedAt: placedAt ?? fallbackPlacedAt,
      bodyHash: hashOrder(orderId, item, quantity),
    },
  };
}

/** crypto.hash, absent before Node 20.12 (package.json allows 20.9). */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function hashOrder(orderId: string, item: string, quantity: number): string {
  const text = JSON.stringify([orderId, item, quantity]);
  // One-shot where Node has it (20.12+): a Hash object per order cost a worker about 1 µs more in
  // the backlog drain. The same digest either way.
  if (oneShotHash) return oneShotHash("sha256", text, "hex").slice(0, 32);
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** What the ledger found when it tried to record a payment. */
export type LedgerOutcome = (
  | { kind: "paid"; payment: Payment }
  | { kind: "duplicate"; orderId: string; cause?: AbsorbedCause }
  | { kind: "conflict"; orderId: string; reason: string; cause?: AbsorbedCause }
) & {
  /** The delivery row the ledger wrote, where the store knows it: its ack time is written by it. */
  deliveryId?: number;
};

export interface Payment {
  seq: number;
  orderId: string;
  item: string;
  quantity: number;
  amountCents: number;
  placedAt: number | null;
  paidAt: number;
  latencyMs: number | null;
}

/** Same order id and same content is a duplicate; same id, other content is a conflict. */
export function classifyExisting(
  existingHash: string,
  incoming: PayableOrder,
): Exclude<LedgerOutcome, { kind: "paid" }> {
  if (existingHash === incoming.bodyHash) return { kind: "duplicate", orderId: incoming.orderId };
  return {
    kind: "conflict",
    orderId: incoming.orderId,
    reason: `conflict: order ${incoming.orderId} was already paid with a different body`,
  };
}
