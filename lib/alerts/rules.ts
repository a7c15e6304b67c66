import type { BooksReport } from "../books/books";
import type { AlarmState } from "../broker-admin/alarm-monitor";

/** The rules Warren evaluates (each key is `rule` or `rule:subject`). */
export const RULES = {
  books: "Books out of balance",
  "dlq-rate": "Dead letters growing fast",
  stuck: "Orders stuck",
  "queue-idle": "Queue with messages and no consumers",
  "broker-alarm": "Broker alarm",
  "outbox-age": "Outbox backlog too old",
  guard: "Guard paused the payment consumers",
} as const;
export type RuleName = keyof typeof RULES;

export interface Thresholds {
  dlqPerMin: number;
  stuckS: number;
  outboxAgeS: number;
}

/** What one evaluation round saw; null: not known this round (the rule's alerts stay as they are). */
export interface AlertInputs {
  books: BooksReport | null;
  /** Messages dead-lettered in the last minute (the larger of Warren's own count and the DLQ's growth). */
  dlqPerMin: number | null;
  stuck: { count: number; oldestAgeS: number } | null;
  /** Queues of the pipeline with ready messages and no consumer. */
  idleQueues: Array<{ queue: string; ready: number }> | null;
  alarms: AlarmState | null;
  /** The outbox's oldest waiting order's age (null inside: the outbox is empty). */
  outbox: { oldestAgeS: number | null } | null;
}

/** One rule's verdict: which keys fire now (with their summary); any other open key of the rule resolves. */
export interface RuleVerdict {
  rule: RuleName;
  firing: Array<{ key: string; summary: string }>;
  /** Said when an open alert of this rule resolves. */
  resolution: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Pure: the verdict of every rule whose inputs are known this round. */
export function evaluateRules(inputs: AlertInputs, t: Thresholds): RuleVerdict[] {
  const verdicts: RuleVerdict[] = [];
  const { books } = inputs;
  // While the first pass over a large table is still under way, the books are not yet a verdict.
  if (books && books.balanced !== null && !books.catchingUp) {
    const unaccounted = books.difference ?? 0;
    const twice = books.paidTwice.length;
    verdicts.push({
      rule: "books",
      firing: books.balanced
        ? []
        : [
            {
              key: "books",
              summary: [
                unaccounted ? `${plural(unaccounted, "order")} unaccounted for` : null,
                twice ? `${plural(twice, "order")} paid twice` : null,
              ]
                .filter(Boolean)
                .join(", "),
            },
          ],
      resolution: "the books balance again",
    });
  }
  if (inputs.dlqPerMin !== null) {
    verdicts.push({
      rule: "dlq-rate",
      firing:
        inputs.dlqPerMin > t.dlqPerMin
          ? [
              {
                key: "dlq-rate",
                summary: `${inputs.dlqPerMin} dead-lettered in the last minute (threshold ${t.dlqPerMin}/min)`,
              },
            ]
          : [],
      resolution: `dead letters back under ${t.dlqPerMin}/min`,
    });
  }
  if (inputs.stuck) {
    verdicts.push({
      rule: "stuck",
      firing:
        inputs.stuck.count > 0
          ? [
              {
                key: "stuck",
                summary: `${plural(inputs.stuck.count, "order")} confirmed and unpaid for over ${t.stuckS} s (oldest ${inputs.stuck.oldestAgeS} s)`,
              },
            ]
          : [],
      resolution: "no order stuck any more",
    });
  }
  if (inputs.idleQueues) {
    verdicts.push({
      rule: "queue-idle",
      firing: inputs.idleQueues.map(({ queue, ready }) => ({
        key: `queue-idle:${queue}`,
        summary: `${plural(ready, "message")} ready in ${queue} and no consumer`,
      })),
      resolution: "a consumer is draining it again (or it is empty)",
    });
  }
  if (inputs.alarms && inputs.alarms.source === "management") {
    const { alarms, publisherBlocked } = inputs.alarms;
    const firing = alarms.map((a) => ({
      key: `broker-alarm:${a.node}:${a.kind}`,
      summary: `${a.kind} alarm on ${a.node} (${a.detail}): publishers are blocked`,
    }));
    if (firing.length === 0 && publisherBlocked) {
      firing.push({
        key: "broker-alarm:publisher",
        summary: `the broker blocked Warren's publisher: ${publisherBlocked}`,
      });
    }
    verdicts.push({ rule: "broker-alarm", firing, resolution: "the alarm cleared" });
  }
  if (inputs.outbox) {
    const age = inputs.outbox.oldestAgeS;
    verdicts.push({
      rule: "outbox-age",
      firing:
        age !== null && age > t.outboxAgeS
          ? [
              {
                key: "outbox-age",
                summary: `the oldest order waiting for the broker is ${age} s old (threshold ${t.outboxAgeS} s)`,
              },
            ]
          : [],
      resolution: "the outbox drained",
    });
  }
  return verdicts;
}
