import { EventEmitter } from "node:events";
import type { ConfirmPublisher } from "../amqp/publisher";
import { DEAD_LETTER_SUFFIX, deadLetterQueueOf } from "../amqp/topology";
import type { BooksReport } from "../books/books";
import { ABSORBED_KEPT_MS } from "../books/cost";
import type { AlarmState } from "../broker-admin/alarm-monitor";
import type { QueueSample } from "../events/sampler";
import { StuckTracker } from "../health/pipeline";
import { broadcastControl } from "../payments/control";
import type { Leader } from "../process/leader";
import type { AlertIncident, WarrenStore } from "../store/store";
import { type AlertInputs, evaluateRules, type RuleVerdict, type Thresholds } from "./rules";
import { postWebhook, type Webhook } from "./webhooks";

export interface GuardOptions {
  enabled: boolean;
  /** Dead letters per minute above which the payment consumers are paused. */
  dlqPerMin: number;
}

export interface AlertEvaluatorOptions {
  store: Pick<WarrenStore, "alerts" | "health" | "payments" | "audit" | "pipeline" | "timing">;
  leader: Pick<Leader, "check" | "stop">;
  orderQueue: string;
  thresholds: Thresholds;
  webhooks: Webhook[];
  guard: GuardOptions;
  /** Sends the guard's pause to every consumer process (lib/payments/control). */
  publisher: ConfirmPublisher | null;
  intervalMs: number;
  webhookTimeoutMs: number;
  retryBaseMs: number;
  /** This process's live parts (each returns null while not known). */
  books: () => BooksReport | null;
  sample: () => QueueSample | null;
  history: () => QueueSample[];
  alarms: () => AlarmState | null;
  /** Where the alerts page is, for the notifications' link (null: none). */
  pageUrl?: string | null;
  now?: () => number;
  log?: (message: string) => void;
}

const MAX_RETRY_MS = 5 * 60_000;
const DELIVERY_BATCH = 50;
const GUARD_KEY = "guard";
const PRUNE_EVERY_MS = 60_000;
const SOURCES_KEPT_MS = 2 * 3_600_000;

/** The DLQ's growth over the last minute of samples (not extrapolated from a shorter window); null when unknown. */
export function dlqGrowth(history: QueueSample[], dlq: string, now: number): number | null {
  const depths = history
    .filter((s) => s.at >= now - 60_000)
    .map((s) => s.queues.find((q) => q.name === dlq))
    .filter((q) => q?.exists && q.ready !== null)
    .map((q) => q?.ready ?? 0);
  const first = depths[0];
  const last = depths.at(-1);
  return first === undefined || last === undefined ? null : Math.max(0, last - first);
}

/**
 * The alert rules, evaluated once per process group: every process may run one, but only the
 * holder of the "alerts" leadership lease evaluates, writes incidents and sends webhooks in a
 * round (`leader.check()` before each). State lives in the store, so a new leader carries on:
 * an incident is opened once (one open row per key), and each notification is a row that is
 * marked delivered once a webhook took it, retried with backoff until then.
 */
export class AlertEvaluator extends EventEmitter {
  rounds = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private readonly stopping = new AbortController();
  private readonly now: () => number;
  private readonly hooks: Map<string, Webhook>;
  private guardSawPaused = false;
  private prunedAt = 0;
  private readonly stuck = new StuckTracker();

  constructor(private readonly options: AlertEvaluatorOptions) {
    super();
    this.setMaxListeners(0);
    this.now = options.now ?? Date.now;
    this.hooks = new Map(options.webhooks.map((h) => [h.id, h]));
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.round(), this.options.intervalMs);
    this.timer.unref();
    void this.round();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A call in flight is cut short (it is tried again, by the next leader, as a failed attempt).
    this.stopping.abort();
    await this.running?.catch(() => undefined);
    await this.options.leader.stop();
  }

  /** One round now (or the one under way). True when this process led it. */
  round(): Promise<boolean> {
    this.running ??= this.lead()
      .catch((error: Error) => {
        this.options.log?.(`[alerts] round failed: ${error.message}`);
        return false;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async lead(): Promise<boolean> {
    if (!(await this.options.leader.check())) return false;
    const at = this.now();
    const inputs = await this.gather(at);
    const changed = await this.apply(evaluateRules(inputs, this.options.thresholds), at);
    const guarded = await this.guard(inputs, at);
    // A lease lost meanwhile: let the new leader send (its rows are the same rows).
    if (await this.options.leader.check()) await this.deliver();
    this.rounds++;
    if (changed || guarded) this.emit("changed");
    if (at - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = at;
      // Housekeeping after the round's work, each on its own: a failed prune is tried next time.
      const prune = (what: string, run: () => Promise<number>) =>
        run().catch((error: Error) =>
          this.options.log?.(`[alerts] pruning ${what} failed (tried again next time): ${error.message}`),
        );
      // The per-message rows serve the rates (last hour at most); the totals per producer stay.
      await prune("dead-letter sources", () =>
        this.options.store.payments.pruneDeadLetterSources(at - SOURCES_KEPT_MS),
      );
      // Absorbed duplicates serve the cost chart (its last hour): older rows only grow the table.
      await prune("absorbed duplicates", () => this.options.store.timing.pruneAbsorbed(at - ABSORBED_KEPT_MS));
    }
    return true;
  }

  private async gather(at: number): Promise<AlertInputs> {
    const { store, orderQueue, thresholds } = this.options;
    const sample = this.options.sample();
    const dlq = deadLetterQueueOf(orderQueue);
    const [recentDeadLetters, stuck, backlog] = await Promise.all([
      store.payments.deadLettersSince(at - 60_000),
      // Incremental, as the health panel's: a full pass over every confirmed order only on the first round.
      this.stuck.update(store.health, at - thresholds.stuckS * 1000),
      store.health.outboxBacklog(at),
    ]);
    const growth = dlqGrowth(this.options.history(), dlq, at);
    const oldest = stuck.stuck[0];
    const stuckCount = stuck.count;
    const known = sample && sample.broker === "up";
    return {
      books: this.options.books(),
      dlqPerMin: Math.max(recentDeadLetters, growth ?? 0),
      stuck: { count: stuckCount, oldestAgeS: oldest ? Math.floor((at - oldest.confirmedAt) / 1000) : 0 },
      idleQueues: known
        ? sample.queues
            .filter((q) => !q.name.endsWith(DEAD_LETTER_SUFFIX) && q.exists && (q.ready ?? 0) > 0 && q.consumers === 0)
            .map((q) => ({ queue: q.name, ready: q.ready ?? 0 }))
        : null,
      alarms: this.options.alarms(),
      outbox: {
        oldestAgeS: backlog.oldestAt === null ? null : Math.max(0, Math.floor((at - backlog.oldestAt) / 1000)),
      },
    };
  }

  /** Opens what fires and is not open, resolves what is open and no longer fires. True on any change. */
  private async apply(verdicts: RuleVerdict[], at: number): Promise<boolean> {
    const { alerts } = this.options.store;
    const targets = [...this.hooks.values()].map(({ id, label }) => ({ id, label }));
    const open = await alerts.firing();
    let changed = false;
    for (const verdict of verdicts) {
      const now = new Set(verdict.firing.map((f) => f.key));
      for (const fire of verdict.firing) {
        const incident = await alerts.fire({ key: fire.key, rule: verdict.rule, summary: fire.summary, at, targets });
        if (incident) {
          changed = true;
          this.options.log?.(`[alerts] firing ${fire.key}: ${fire.summary}`);
        }
      }
      for (const incident of open.filter((i) => i.rule === verdict.rule && !now.has(i.key))) {
        if (await alerts.resolve({ key: incident.key, resolution: verdict.resolution, at, targets })) {
          changed = true;
          this.options.log?.(`[alerts] resolved ${incident.key}: ${verdict.resolution}`);
        }
      }
    }
    return changed;
  }

  /**
   * The optional guard: above its dead-letter rate it pauses every payment consumer of the
   * pipeline (the operator's pause: stored, then announced), once per incident, audited as the
   * system's action. The incident resolves when a consumer is back on the queue (an operator resumed).
   */
  private async guard(inputs: AlertInputs, at: number): Promise<boolean> {
    const { guard, store, orderQueue, publisher } = this.options;
    if (!guard.enabled) return false;
    const open = (await store.alerts.firing()).find((i) => i.key === GUARD_KEY);
    const targets = [...this.hooks.values()].map(({ id, label }) => ({ id, label }));
    if (open) {
      const consumers = this.options.sample()?.queues.find((q) => q.name === orderQueue)?.consumers ?? null;
      if (consumers === 0) this.guardSawPaused = true;
      // A leader that took over after the pause never saw it take effect: an old incident counts as seen.
      if (at - open.firedAt > 30_000) this.guardSawPaused = true;
      if (this.guardSawPaused && consumers !== null && consumers > 0) {
        await store.alerts.resolve({ key: GUARD_KEY, resolution: "payment consumers resumed", at, targets });
        this.guardSawPaused = false;
        return true;
      }
      return false;
    }
    if (inputs.dlqPerMin === null || inputs.dlqPerMin <= guard.dlqPerMin) return false;
    const summary = `paused the payment consumers of ${orderQueue}: ${inputs.dlqPerMin} dead-lettered in the last minute (guard threshold ${guard.dlqPerMin}/min)`;
    let result: "ok" | "error" = "ok";
    let message = summary;
    try {
      // The stored pipeline state is what every process applies (lib/payments/pipeline-state.ts): store
      // the pause, then wake them; a process that misses the wake-up reads it at its next poll.
      await store.pipeline.write(orderQueue, { paused: true }, { at, by: "alert guard" });
      if (!publisher) throw new Error("this process cannot publish control commands");
      await broadcastControl(publisher, { command: "pause" }, orderQueue).catch((error: Error) => {
        this.options.log?.(`[alerts] guard: pause stored; announcing it failed (${error.message}), processes poll it`);
      });
    } catch (error) {
      result = "error";
      message = `the guard could not pause the consumers: ${(error as Error).message}`;
    }
    await store.audit.append({
      actor: "system",
      action: "consumers.pause",
      target: orderQueue,
      details: { by: "alert guard", deadLetteredLastMinute: inputs.dlqPerMin, thresholdPerMin: guard.dlqPerMin },
      result,
      message,
      at,
    });
    this.options.log?.(`[alerts] guard: ${message}`);
    if (result === "error") return false;
    this.guardSawPaused = false;
    await store.alerts.fire({ key: GUARD_KEY, rule: "guard", summary, at, targets });
    return true;
  }

  /** Sends every due notification once; a failure waits (doubling) and is tried again next round. */
  private async deliver(): Promise<void> {
    const { alerts } = this.options.store;
    const at = this.now();
    for (const delivery of await alerts.dueDeliveries(at, DELIVERY_BATCH)) {
      if (this.stopping.signal.aborted) return;
      // Renewed (or lost) before each call: a leader whose lease ran out mid-batch stops sending.
      if (!(await this.options.leader.check())) return;
      const hook = this.hooks.get(delivery.target);
      if (!hook) {
        // A webhook removed from the configuration: nothing to send it to; kept as failed (shown on /alerts).
        await alerts.deliveryFailed(delivery.id, "no longer configured", at + MAX_RETRY_MS);
        continue;
      }
      try {
        await postWebhook(hook, delivery, {
          timeoutMs: this.options.webhookTimeoutMs,
          pageUrl: this.options.pageUrl ?? null,
          signal: this.stopping.signal,
        });
        await alerts.delivered(delivery.id, this.now());
      } catch (error) {
        const delay = Math.min(MAX_RETRY_MS, this.options.retryBaseMs * 2 ** delivery.attempts);
        await alerts.deliveryFailed(delivery.id, (error as Error).message, this.now() + delay);
        this.options.log?.(
          `[alerts] ${delivery.event} ${delivery.incident.key} to ${hook.label} failed (attempt ${delivery.attempts + 1}): ${(error as Error).message}; retry in ${delay} ms`,
        );
      }
    }
  }
}

export type { AlertIncident };
