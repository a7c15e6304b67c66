import { createHash } from "node:crypto";
import { WarrenError } from "../errors";
import type { IdempotencyStore, IdempotentAnswer } from "../store/store";

/** How long a key's answer is kept (issue 12: 24 h, as Stripe does). */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;
/** How long a request waits for a twin with the same key that is being served right now. */
const TWIN_WAIT_MS = 10_000;
const TWIN_POLL_MS = 20;
/** Sweeping at most once a minute per store keeps it off the hot path. */
const SWEEP_EVERY_MS = 60_000;

/** What a client may send as a key: printable ASCII, 1 to 255 characters (IETF draft: a string, UUIDs advised). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Reads an Idempotency-Key value; null when none was sent, a 400 when one was sent but is unusable. */
export function readIdempotencyKey(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const key = value.trim();
  if (!KEY_PATTERN.test(key)) {
    throw new WarrenError(
      "bad_request",
      "The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces (a UUID is a good choice).",
    );
  }
  return key;
}

/** JSON with object keys sorted, so {"a":1,"b":2} and {"b":2,"a":1} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The request's identity for its key: the same body (in any key order) gives the same fingerprint. */
export function fingerprintOf(body: unknown): string {
  return createHash("sha256").update(canonical(body)).digest("hex");
}

const lastSweep = new WeakMap<IdempotencyStore, number>();

export interface OnceOptions {
  now?: () => number;
  twinWaitMs?: number;
}

/**
 * Serves a request once per key: the first request with a key runs `serve`
 * and its answer is kept; a retry with the same body gets that answer again
 * (same order id, same status); the same key with another body is a 409.
 * A twin arriving while the first is still being served waits for its
 * answer, so parallel retries make one order. A failure (a 400, the broker
 * refusing) keeps nothing: the retry is served afresh.
 */
export async function once(
  store: IdempotencyStore,
  request: { key: string; fingerprint: string },
  serve: () => Promise<IdempotentAnswer>,
  { now = Date.now, twinWaitMs = TWIN_WAIT_MS }: OnceOptions = {},
): Promise<IdempotentAnswer & { replayed: boolean }> {
  await sweepNowAndThen(store, now());
  const deadline = now() + twinWaitMs;
  for (;;) {
    const claim = await store.claim({ ...request, at: now(), keepMs: IDEMPOTENCY_KEEP_MS });
    if (claim.kind === "replay") return { ...claim.answer, replayed: true };
    if (claim.kind === "conflict") {
      throw new WarrenError(
        "conflict",
        "This Idempotency-Key was already used with a different request body in the last 24 hours; use a new key for a new order.",
      );
    }
    if (claim.kind === "claimed") {
      let answer: IdempotentAnswer;
      try {
        answer = await serve();
      } catch (error) {
        await store.release(request.key);
        throw error;
      }
      await store.complete(request.key, answer);
      return { ...answer, replayed: false };
    }
    if (now() >= deadline) {
      throw new WarrenError(
        "conflict",
        "A request with this Idempotency-Key is still being processed; retry in a moment for its answer.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, TWIN_POLL_MS));
  }
}

async function sweepNowAndThen(store: IdempotencyStore, at: number): Promise<void> {
  if (at - (lastSweep.get(store) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(store, at);
  await store.sweep(at, IDEMPOTENCY_KEEP_MS);
}
