/**
 * On a quorum queue every delivery counts, a management "get" with requeue included: a peek
 * raises each returned message's x-delivery-count, and with a `delivery-limit` (policy or
 * argument) the broker dead-letters or drops a message once the count passes it. The queue page
 * says so where it offers a peek, so nobody burns a message's limit without knowing.
 */
export interface PeekCost {
  /** The queue is a quorum queue: peeks count as deliveries. */
  counts: boolean;
  /** The delivery-limit in force (policy or x-delivery-limit argument), if any. */
  limit: number | null;
}

const limitOf = (value: unknown): number | null =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;

export function peekCost(
  type: string | null | undefined,
  effectivePolicy: Record<string, unknown> | null | undefined,
  args: Record<string, unknown> | null | undefined,
): PeekCost {
  if (type !== "quorum") return { counts: false, limit: null };
  // A queue argument wins over a policy's value only when it is lower; RabbitMQ applies the lower of the two.
  const fromPolicy = limitOf(effectivePolicy?.["delivery-limit"]);
  const fromArgs = limitOf(args?.["x-delivery-limit"]);
  const limits = [fromPolicy, fromArgs].filter((v): v is number => v !== null);
  return { counts: true, limit: limits.length > 0 ? Math.min(...limits) : null };
}

/** The sentence shown beside the peek form, or null when a peek costs a message nothing. */
export function peekCostNote(cost: PeekCost): string | null {
  if (!cost.counts) return null;
  if (cost.limit !== null)
    return `This is a quorum queue with delivery-limit ${cost.limit}: each peek counts a delivery toward delivery-limit ${cost.limit} for every message it returns, and a message delivered more than ${cost.limit} times is dead-lettered (or dropped, with no dead-letter exchange).`;
  return "This is a quorum queue: each peek counts as a delivery of every message it returns (x-delivery-count grows). With a delivery-limit policy, peeking can dead-letter a message.";
}
