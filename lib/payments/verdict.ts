/**
 * What the lifecycle should do with one delivery. The handlers that decide
 * (pay-batch, dead-letter) return these and never touch the channel: only
 * the consumer's lifecycle acks, nacks or rejects, on the channel the
 * delivery came from.
 */
export type Verdict =
  /** `orderId`: the order the delivery carried (paid now or before), for the hop observer. */
  | { kind: "ack"; messageId?: string; orderId?: string; deliveryId?: number }
  /** Our side failed (DB, disk): try again after `delayMs`. */
  | { kind: "requeue"; delayMs: number }
  /** Reject without requeue: the broker dead-letters it where a policy says so, or drops it. */
  | { kind: "drop" }
  /** Publish a copy to the DLQ with the reason, then ack. */
  | { kind: "dead-letter"; reason: string; orderId: string | null };
