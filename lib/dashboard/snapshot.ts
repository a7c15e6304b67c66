import "server-only";
import { live } from "../events/live";
import type { QueueSample } from "../events/sampler";
import type { Payment } from "../payments/decide";

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
  return { latest: live.latestSample(), history: live.sampleHistory(HISTORY_POINTS) };
}

export function paymentsSnapshot(limit = RECENT_PAYMENTS): Promise<PaymentsSnapshot> {
  return live.payments.recent(limit);
}

export async function dashboardSnapshot(): Promise<DashboardSnapshot> {
  return { queues: queuesSnapshot(), payments: await paymentsSnapshot(), queueName: live.orderQueue() };
}
