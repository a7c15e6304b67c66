import "server-only";
import { EventEmitter } from "node:events";
import type { QueueSample, QueueSampler } from "../events/sampler";
import type { Db } from "../store/db";
import { computeHealth, DeliveryRate, type PipelineHealth, StuckTracker } from "./pipeline";

const MIN_INTERVAL_MS = 1000;

/**
 * ONE health computation per process, driven by the queue sampler's ticks
 * and at most once a second, whatever the number of dashboards listening.
 */
export class HealthMonitor extends EventEmitter {
  latest: PipelineHealth | null = null;
  private lastAt = 0;
  private readonly rate;
  private readonly tracker = new StuckTracker();

  constructor(private readonly deps: { sampler: QueueSampler; db: Db; orderQueue: string; stuckAfterS: number }) {
    super();
    this.setMaxListeners(0);
    this.rate = new DeliveryRate(deps.db);
    deps.sampler.on("sample", (sample: QueueSample) => this.onSample(sample));
  }

  private onSample(sample: QueueSample) {
    if (Date.now() - this.lastAt < MIN_INTERVAL_MS - 50) return;
    try {
      this.latest = this.compute(sample);
      this.emit("health", this.latest);
    } catch {
      // A locked or busy DB skips one tick; the next sample tries again.
    }
  }

  compute(sample: QueueSample | null = this.deps.sampler.latest(), stuckAfterS?: number): PipelineHealth {
    const fresh = stuckAfterS === undefined;
    const health = computeHealth({
      db: this.deps.db,
      sample,
      orderQueue: this.deps.orderQueue,
      stuckAfterS: stuckAfterS ?? this.deps.stuckAfterS,
      ratePerS: fresh ? this.rate.sample() : (this.latest?.drain.ratePerS ?? this.rate.sample()),
      tracker: fresh ? this.tracker : undefined,
    });
    if (fresh) this.lastAt = health.at;
    return health;
  }
}
