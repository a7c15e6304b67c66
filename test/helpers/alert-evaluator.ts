import type { AlertEvaluatorOptions } from "../../lib/alerts/evaluator";
import { Leader } from "../../lib/process/leader";
import type { WarrenStore } from "../../lib/store/store";

/**
 * An AlertEvaluator's options for a test, quiet unless the test says otherwise: thresholds no test
 * crosses by accident, no webhooks, the guard off, nothing live known (books, sample, history,
 * alarms), a round a minute and short webhook timeouts and retries. The leader is the real "alerts"
 * lease on `store` (60 s), logging where the evaluator logs, as lib/process/warren.ts wires it.
 * `overrides` say what the test is about.
 */
export function alertEvaluatorOptions(
  store: AlertEvaluatorOptions["store"] & Pick<WarrenStore, "leadership">,
  overrides: Partial<AlertEvaluatorOptions> = {},
): AlertEvaluatorOptions {
  return {
    store,
    leader: overrides.leader ?? new Leader(store.leadership, "alerts", { ttlMs: 60_000, log: overrides.log }),
    orderQueue: "orders",
    thresholds: { dlqPerMin: 1_000, stuckS: 3600, outboxAgeS: 3600 },
    webhooks: [],
    guard: { enabled: false, dlqPerMin: 100 },
    publisher: null,
    intervalMs: 60_000,
    webhookTimeoutMs: 2000,
    retryBaseMs: 20,
    books: () => null,
    sample: () => null,
    history: () => [],
    alarms: () => null,
    ...overrides,
  };
}
