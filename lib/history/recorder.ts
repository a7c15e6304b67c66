import type { Leader } from "../process/leader";
import type { HistorySample, HistoryStore, HistoryTier } from "../store/store";
import { HISTORY_TIERS } from "./tiers";

export interface HistoryRecorderOptions {
  store: HistoryStore;
  /** The "history-sampler" lease: only its holder samples and writes, whatever the number of processes. */
  leader: Leader;
  /** Reads one sample per queue it can read (queues it cannot read are left out: a gap in the chart). */
  sample: (queues: string[], at: number) => Promise<HistorySample[]>;
  /** Warren's own queues: tracked from the start, never evicted. */
  pinned: string[];
  intervalMs?: number;
  rollupEveryMs?: number;
  /** Most other queues tracked at once (the least recently opened go first, with their rows). */
  maxViewed?: number;
  tiers?: HistoryTier[];
  log?: (message: string) => void;
}

/** Queues tracked besides Warren's own: bounds the rows kept (lib/history/tiers ROWS_PER_QUEUE_BOUND each). */
export const MAX_VIEWED_QUEUES = 20;
const TRACKED_REFRESH_MS = 5000;
const TRACK_EVERY_MS = 60_000;

/**
 * Durable queue history. Every web process has one recorder, but only the leader of the
 * "history-sampler" role (a lease in the database) samples and writes, once a second, and rolls
 * old rows up; the others only answer reads from the database, and take over within a lease when
 * the leader stops or dies. Which queues are sampled is in the database too, so a queue opened on
 * any process is sampled by whichever one leads.
 */
export class HistoryRecorder {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;
  private current: Promise<void> | null = null;
  private tracked: { at: number; names: string[] } | null = null;
  private lastRollup = 0;
  private registered: Promise<void> | null = null;
  private readonly noted = new Map<string, number>();
  /** Rows this process wrote, rounds it sampled as leader, and whether it led at its last round. */
  readonly stats = { written: 0, rounds: 0, leading: false, rollups: 0, failures: 0 };

  constructor(private readonly options: HistoryRecorderOptions) {}

  get intervalMs(): number {
    return this.options.intervalMs ?? 1000;
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    // The round under way finishes first: else its lease renewal would take the role back after the release.
    await this.current?.catch(() => undefined);
    // Hand the role over at once rather than after a lease.
    await this.options.leader.stop();
  }

  /** A queue page was opened (on this process): sample that queue from now on. */
  async track(queue: string, at = Date.now()): Promise<void> {
    if (this.options.pinned.includes(queue)) return;
    // An open page asks every second: note it in the database once a minute.
    const noted = this.noted.get(queue);
    if (noted !== undefined && at - noted < TRACK_EVERY_MS) return;
    const dropped = await this.options.store.track(queue, at, {
      pinned: false,
      maxViewed: this.options.maxViewed ?? MAX_VIEWED_QUEUES,
    });
    if (this.noted.size > 1000) this.noted.clear();
    this.noted.set(queue, at);
    if (dropped.length > 0) this.options.log?.(`[history] no longer sampling ${dropped.join(", ")} (bound reached)`);
    this.tracked = null;
  }

  /** One round: only the leader samples, writes, and now and then rolls up. */
  tick(at = Date.now()): Promise<void> {
    if (this.busy || this.stopped) return this.current ?? Promise.resolve();
    this.current = this.round(at);
    return this.current;
  }

  private async round(at: number): Promise<void> {
    this.busy = true;
    try {
      this.stats.leading = await this.options.leader.check();
      if (!this.stats.leading) return;
      const names = await this.trackedQueues(at);
      const samples = await this.options.sample(names, at);
      this.stats.written += await this.options.store.record(samples, this.tiers[0]?.resolutionMs ?? 1000);
      this.stats.rounds++;
      if (at - this.lastRollup >= (this.options.rollupEveryMs ?? 10_000)) {
        this.lastRollup = at;
        await this.options.store.rollup(at, this.tiers);
        this.stats.rollups++;
      }
    } catch (error) {
      // The database or broker is away: this round is a gap; the next one tries again.
      this.stats.failures++;
      if (this.stats.failures % 60 === 1) this.options.log?.(`[history] round failed: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private get tiers(): HistoryTier[] {
    return this.options.tiers ?? HISTORY_TIERS;
  }

  private async trackedQueues(at: number): Promise<string[]> {
    this.registered ??= (async () => {
      for (const name of this.options.pinned) {
        await this.options.store.track(name, at, {
          pinned: true,
          maxViewed: this.options.maxViewed ?? MAX_VIEWED_QUEUES,
        });
      }
    })().catch((error) => {
      this.registered = null;
      throw error;
    });
    await this.registered;
    if (!this.tracked || at - this.tracked.at >= TRACKED_REFRESH_MS) {
      this.tracked = { at, names: await this.options.store.tracked() };
    }
    return this.tracked.names;
  }
}
