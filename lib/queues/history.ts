/**
 * Per-queue history kept in the server process, so the detail page's charts
 * survive a browser reload: a fixed ring of typed arrays per queue (one hour
 * at 5 s = 720 points, about 30 KB per queue), whatever the number of viewers.
 */
export const HISTORY_FIELDS = ["ready", "unacked", "consumers", "publish", "deliver", "ack"] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

export type HistoryPoint = { at: number } & Record<HistoryField, number | null>;

export interface HistorySeries {
  intervalMs: number;
  /** Oldest first. Null where a value was not known (e.g. no rates in limited mode). */
  points: HistoryPoint[];
}

export class Ring {
  private readonly at: Float64Array;
  private readonly values: Record<HistoryField, Float64Array>;
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.values = Object.fromEntries(HISTORY_FIELDS.map((f) => [f, new Float64Array(capacity)])) as Record<
      HistoryField,
      Float64Array
    >;
  }

  push(point: HistoryPoint) {
    this.at[this.head] = point.at;
    for (const field of HISTORY_FIELDS) this.values[field][this.head] = point[field] ?? Number.NaN;
    this.head = (this.head + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Points oldest first, optionally only those after `since`. */
  toArray(since = 0): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    const start = (this.head - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const index = (start + i) % this.capacity;
      const at = this.at[index] ?? 0;
      if (at <= since) continue;
      const point = { at } as HistoryPoint;
      for (const field of HISTORY_FIELDS) {
        const value = this.values[field][index] ?? Number.NaN;
        point[field] = Number.isNaN(value) ? null : value;
      }
      out.push(point);
    }
    return out;
  }
}

export interface QueueHistoryOptions {
  intervalMs?: number;
  capacity?: number;
  /** Queues tracked from the start and never evicted (Warren's own). */
  pinned: string[];
  /** Most queues tracked at once besides the pinned ones (least recently viewed go first). */
  maxViewed?: number;
  /** Reads one point per queue; queues it could not read are left out of the map (they get a gap). */
  sample: (names: string[]) => Promise<Map<string, Omit<HistoryPoint, "at">>>;
}

function gapAt(at: number): HistoryPoint {
  return { at, ...Object.fromEntries(HISTORY_FIELDS.map((f) => [f, null])) } as HistoryPoint;
}

export class QueueHistory {
  readonly intervalMs: number;
  readonly capacity: number;
  private readonly rings = new Map<string, Ring>();
  /** Viewed (non-pinned) queues and when they were last asked for. */
  private readonly viewed = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly options: QueueHistoryOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.capacity = options.capacity ?? 720;
  }

  start(): this {
    if (this.timer) return this;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Starts (or keeps) recording a queue because someone is looking at it. */
  track(name: string) {
    if (this.options.pinned.includes(name)) return;
    this.viewed.delete(name);
    this.viewed.set(name, Date.now());
    const max = this.options.maxViewed ?? 50;
    while (this.viewed.size > max) {
      const oldest = this.viewed.keys().next().value;
      if (oldest === undefined) break;
      this.viewed.delete(oldest);
      this.rings.delete(oldest);
    }
  }

  tracked(): string[] {
    return [...this.options.pinned, ...this.viewed.keys()];
  }

  series(name: string, since = 0): HistorySeries {
    return { intervalMs: this.intervalMs, points: this.rings.get(name)?.toArray(since) ?? [] };
  }

  async tick(at = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const names = this.tracked();
      let points: Map<string, Omit<HistoryPoint, "at">>;
      try {
        points = await this.options.sample(names);
      } catch {
        // The next tick tries again; this one is a gap.
        points = new Map();
      }
      for (const [name, point] of points) {
        let ring = this.rings.get(name);
        if (!ring) {
          ring = new Ring(this.capacity);
          this.rings.set(name, ring);
        }
        ring.push({ at, ...point });
      }
      // A queue that was recorded and could not be read now (broker away, queue gone) gets an
      // explicit empty point: the chart draws a gap there, never a zero or a line across it.
      for (const [name, ring] of this.rings) if (!points.has(name)) ring.push(gapAt(at));
    } finally {
      this.busy = false;
    }
  }
}

/** The newest point with a depth in it: "last seen" while the broker cannot be asked. */
export function lastKnown(
  series: HistorySeries,
): { at: number; ready: number | null; consumers: number | null } | null {
  for (let i = series.points.length - 1; i >= 0; i--) {
    const point = series.points[i];
    if (point && point.ready !== null) return { at: point.at, ready: point.ready, consumers: point.consumers };
  }
  return null;
}
