import "server-only";
import type { QueueSample } from "../events/sampler";
import type { Payment } from "../payments/decide";
import { getLive } from "../runtime";

export interface QueuesSnapshot {
  latest: QueueSample | null;
  history: QueueSample[];
}

export interface PaymentsSnapshot {
  payments: Payment[];
  totals: { payments: number; duplicates: number };
}

export interface DashboardSnapshot {
  queues: QueuesSnapshot;
  payments: PaymentsSnapshot;
  queueName: string;
}

export const HISTORY_POINTS = 60;
export const RECENT_PAYMENTS = 50;

export function queuesSnapshot(): QueuesSnapshot {
  const { sampler } = getLive();
  return { latest: sampler.latest(), history: sampler.history.slice(-HISTORY_POINTS) };
}

export function paymentsSnapshot(limit = RECENT_PAYMENTS): PaymentsSnapshot {
  const { runtime } = getLive();
  return { payments: runtime.ledger.recent(limit), totals: runtime.ledger.counts() };
}

export function dashboardSnapshot(): DashboardSnapshot {
  const { runtime } = getLive();
  return { queues: queuesSnapshot(), payments: paymentsSnapshot(), queueName: runtime.env.ORDER_QUEUE };
}
