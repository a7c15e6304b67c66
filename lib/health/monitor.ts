import "server-only";
import { EventEmitter } from "node:events";
import type { QueueSample, QueueSampler } from "../events/sampler";
import type { HealthStore } from "../store/store";
import { computeHealth, DeliveryRate, type PipelineHealth, StuckTracker } from "./pipeline";

const MIN_INTERVAL_MS = 1000;

/**
 * ONE health computation per process, driven by the queue sampler's ticks
 * and at most once a second, whatever the number of dashboards listening.
 * The reads are the store's (lib/store: HealthStore), on any backend; a tick
 * that arrives while the last one is still reading is skipped.
 */
export class HealthMonitor extends EventEmitter {
  latest: PipelineHealth | null = null;
  private lastAt = 0;
  private computing = false;
  private readonly rate;
  private readonly tracker = new StuckTracker();

  constructor(
    private readonly deps: { sampler: QueueSampler; reads: HealthStore; orderQueue: string; stuckAfterS: number },
  ) {
    super();
    this.setMaxListeners(0);
    this.rate = new DeliveryRate(deps.reads);
    deps.sampler.on("sample", (sample: QueueSample) => void this.onSample(sample));
  }

  private async onSample(sample: QueueSample) {
    if (this.computing || Date.now() - this.lastAt < MIN_INTERVAL_MS - 50) return;
    this.computing = true;
    try {
      this.latest = await this.compute(sample);
      this.emit("health", this.latest);
    } catch {
      // A locked, busy or unreachable DB skips one tick; the next sample tries again.
    } finally {
      this.computing = false;
    }
  }

  async compute(
    sample: QueueSample | null = this.deps.sampler.latest(),
    stuckAfterS?: number,
  ): Promise<PipelineHealth> {
    const fresh = stuckAfterS === undefined;
    const health = await computeHealth({
      reads: this.deps.reads,
      sample,
      orderQueue: this.deps.orderQueue,
      stuckAfterS: stuckAfterS ?? this.deps.stuckAfterS,
      ratePerS: fresh ? await this.rate.sample() : (this.latest?.drain.ratePerS ?? (await this.rate.sample())),
      tracker: fresh ? this.tracker : undefined,
    });
    if (fresh) this.lastAt = health.at;
    return health;
  }
}
