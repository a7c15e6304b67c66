import { type RateLimiterAbstract, RateLimiterMemory } from "rate-limiter-flexible";
import type { StoredLimiterOptions } from "./store";

/** The table of every stored limiter (migration 10 on both backends); keys carry the limiter's prefix. */
export const RATE_LIMITS_TABLE = "rate_limits";

/** rate-limiter-flexible's options for a limiter on a table that a migration made, and that Warren prunes. */
export function storedLimiterOptions(options: StoredLimiterOptions) {
  const policy = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.duration,
    blockDuration: options.blockDuration,
  };
  return {
    ...policy,
    insuranceLimiter: options.memoryInsurance ? new RateLimiterMemory(policy) : undefined,
    tableName: RATE_LIMITS_TABLE,
    // The table is migration 10's: the library must not create it (nor race a migration doing so).
    tableCreated: true,
    // Its timer is never stopped and, on SQLite, rejects unhandled when the file is busy or closed:
    // expired rows are pruned by the caller through LimitsStore.pruneExpired instead.
    clearExpiredByTimeout: false,
  };
}

type ErrorHandler = (error: unknown, ...rest: unknown[]) => void;

/**
 * Tells `onStoreError` about each error of the database that sends a call to the insurance
 * limiter. rate-limiter-flexible hands such errors to one method, `_handleError`, and says no
 * more (the insurance answers as if nothing happened); a refusal (RateLimiterRes) is no error.
 */
export function reportingStoreErrors<T extends RateLimiterAbstract>(
  limiter: T,
  onStoreError?: (error: unknown) => void,
): T {
  if (!onStoreError) return limiter;
  const inner = limiter as unknown as { _handleError?: ErrorHandler };
  const handle = inner._handleError;
  if (typeof handle !== "function") {
    throw new Error("rate-limiter-flexible no longer has _handleError: store errors would go unreported");
  }
  inner._handleError = (error, ...rest) => {
    if (!isRefusal(error)) onStoreError(error);
    handle.call(limiter, error, ...rest);
  };
  return limiter;
}

/**
 * A limiter's refusal (a RateLimiterRes: when the next point comes) as opposed to an error.
 * By shape, not `instanceof`: the refusal may come from another module graph's copy of the library.
 */
export function isRefusal(value: unknown): value is { msBeforeNext: number } {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as { msBeforeNext?: unknown }).msBeforeNext === "number"
  );
}
