import "server-only";
import type { AlertsState } from "../alerts/board";
import type { BooksReport } from "../books/books";
import type { AlarmState } from "../broker-admin/alarm-monitor";
import type { HealthMonitor } from "../health/monitor";
import type { PipelineHealth } from "../health/pipeline";
import type { Payment } from "../payments/decide";
import { currentWarren } from "../process/current";
import type { LiveParts } from "../process/warren";
import type { QueueSample } from "./sampler";

function liveParts(): LiveParts {
  const { live } = currentWarren();
  if (!live) throw new Error("this process serves no dashboards");
  return live;
}

export interface LiveHandlers {
  payment: (payment: Payment) => void;
  queues: (sample: QueueSample) => void;
  health: (health: PipelineHealth) => void;
  /** Resource alarms for every page's banner (the process's one alarm watcher). */
  alarms: (state: AlarmState) => void;
  /** The books (the process's one checker): each tick's report. */
  books?: (report: BooksReport) => void;
  /** The alerts firing now (every page's banner): each change. */
  alerts?: (state: AlertsState) => void;
}

/** What the dashboards read: the process's one sampler, payment feed and health monitor, shared by every client. */
export const live = {
  /** Subscribes to every live event; returns the unsubscribe. */
  subscribe(handlers: LiveHandlers): () => void {
    const { feed, sampler, health, alarms, books, alerts } = liveParts();
    feed.on("payment", handlers.payment);
    sampler.on("sample", handlers.queues);
    health.on("health", handlers.health);
    alarms.on("alarms", handlers.alarms);
    if (handlers.books) books.on("books", handlers.books);
    if (handlers.alerts) alerts.on("alerts", handlers.alerts);
    return () => {
      if (handlers.alerts) alerts.off("alerts", handlers.alerts);
      if (handlers.books) books.off("books", handlers.books);
      feed.off("payment", handlers.payment);
      sampler.off("sample", handlers.queues);
      health.off("health", handlers.health);
      alarms.off("alarms", handlers.alarms);
    };
  },
  /** Payments from the store, on any backend (PostgreSQL's since() is exact with many writers). */
  payments: {
    since(seq: number): Promise<Payment[]> {
      return currentWarren().store.payments.since(seq);
    },
    async recent(limit: number): Promise<{ payments: Payment[]; totals: { payments: number; duplicates: number } }> {
      const { payments } = currentWarren().store;
      const [recent, totals] = await Promise.all([payments.recent(limit), payments.counts()]);
      return { payments: recent, totals };
    },
  },
  /** The latest books report, or one computed now (the first tick has not finished yet). */
  async books(): Promise<BooksReport> {
    const { books } = liveParts();
    return books.latest ?? books.check();
  },
  alertsState(): AlertsState {
    return liveParts().alerts.latest();
  },
  alarmState(): AlarmState {
    return liveParts().alarms.latest();
  },
  latestSample(): QueueSample | null {
    return liveParts().sampler.latest();
  },
  sampleHistory(points: number): QueueSample[] {
    return liveParts().sampler.history.slice(-points);
  },
  orderQueue(): string {
    return currentWarren().env.ORDER_QUEUE;
  },
  /** The pipeline's health: the latest computed, or computed now for another stuck threshold. */
  async health(stuckAfterS?: number): Promise<PipelineHealth> {
    const monitor: HealthMonitor = liveParts().health;
    if (stuckAfterS === undefined) return monitor.latest ?? monitor.compute();
    return monitor.compute(undefined, stuckAfterS);
  },
};
