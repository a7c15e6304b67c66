import "server-only";
import { currentWarren } from "../process/current";
import type { AlertIncident } from "../store/store";
import { RULES } from "./rules";
import { parseWebhooks } from "./webhooks";

/** What /alerts and GET /api/alerts show. */
export interface AlertsOverview {
  at: number;
  firing: AlertIncident[];
  /** Newest first, firing ones included. */
  history: AlertIncident[];
  /** Which process evaluates (the "alerts" lease) and until when; null before any did. */
  leader: { holder: string; until: number } | null;
  rules: Array<{ rule: string; title: string; threshold: string }>;
  /** Configured webhooks, redacted (never a URL's secret). */
  webhooks: Array<{ label: string; format: "json" | "slack" }>;
  guard: { enabled: boolean; dlqPerMin: number };
}

const HISTORY = 100;

export async function alertsOverview(): Promise<AlertsOverview> {
  const { store, env } = currentWarren();
  const [firing, history, leader] = await Promise.all([
    store.alerts.firing(),
    store.alerts.history(HISTORY),
    store.leadership.current("alerts"),
  ]);
  const rule = (name: keyof typeof RULES, threshold: string) => ({ rule: name, title: RULES[name], threshold });
  return {
    at: Date.now(),
    firing,
    history,
    leader,
    rules: [
      rule("books", "any order unaccounted for, or paid twice"),
      rule("dlq-rate", `more than ${env.WARREN_ALERT_DLQ_PER_MIN} dead-lettered in a minute`),
      rule("stuck", `a confirmed order unpaid after ${env.WARREN_ALERT_STUCK_S} s`),
      rule("queue-idle", `${env.ORDER_QUEUE} has ready messages and no consumer`),
      rule("broker-alarm", "a memory or disk alarm, or Warren's publisher blocked"),
      rule("outbox-age", `the oldest unconfirmed order older than ${env.WARREN_ALERT_OUTBOX_AGE_S} s`),
    ],
    webhooks: parseWebhooks(env.WARREN_ALERT_WEBHOOKS).map(({ label, format }) => ({ label, format })),
    guard: { enabled: env.WARREN_ALERT_GUARD, dlqPerMin: env.WARREN_ALERT_GUARD_DLQ_PER_MIN },
  };
}
