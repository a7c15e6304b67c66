import "server-only";
import { EventEmitter } from "node:events";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { type QueueDetail, queueDetail } from "./service";

/**
 * One watcher per queue per process, however many browsers have its page
 * open: it reads the queue once a second and pushes the result to every
 * subscriber (SSE), and stops when the last one leaves. Only queues that
 * exist get a watcher, and there are at most MAX_WATCHERS: made-up names
 * must not each start a poll of the broker.
 */
export const MAX_WATCHERS = 50;

class QueueWatcher extends EventEmitter {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly onIdle: () => void,
  ) {
    super();
    this.setMaxListeners(0);
  }

  subscribe(listener: (detail: QueueDetail) => void): () => void {
    this.on("detail", listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.off("detail", listener);
      if (this.listenerCount("detail") === 0) {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        this.onIdle();
      }
    };
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.removeAllListeners("detail");
  }

  private async tick() {
    if (this.busy) return;
    this.busy = true;
    try {
      this.emit("detail", await queueDetail(this.name));
    } catch {
      // The next tick tries again; the page shows its last data meanwhile.
    } finally {
      this.busy = false;
    }
  }
}

/** The watchers of one process (held by lib/process): one per queue being looked at. */
export class QueueWatchers {
  private readonly watchers = new Map<string, QueueWatcher>();

  watch(name: string, listener: (detail: QueueDetail) => void, intervalMs = 1000): () => void {
    let watcher = this.watchers.get(name);
    if (!watcher) {
      watcher = new QueueWatcher(name, intervalMs, () => this.watchers.delete(name));
      this.watchers.set(name, watcher);
    }
    return watcher.subscribe(listener);
  }

  has(name: string): boolean {
    return this.watchers.has(name);
  }

  get size(): number {
    return this.watchers.size;
  }

  /** At shutdown: no more ticks (the streams that listened are ended by their own registry). */
  stopAll(): void {
    for (const watcher of this.watchers.values()) watcher.stop();
    this.watchers.clear();
  }
}

/**
 * Checks the queue (404 when it does not exist, 429 when the watcher cap is
 * reached), then returns a subscribe function for its details.
 */
export async function watchQueue(
  name: string,
  intervalMs = 1000,
): Promise<(listener: (detail: QueueDetail) => void) => () => void> {
  const { watchers } = currentWarren();
  if (!watchers) throw new Error("this process serves no queue pages");
  if (!watchers.has(name)) {
    if (watchers.size >= MAX_WATCHERS) {
      throw WarrenError.tooManyRequests(
        `Warren already watches ${MAX_WATCHERS} queues live; try again when a queue page is closed.`,
        10,
      );
    }
    const detail = await queueDetail(name);
    if (!detail.exists) throw new WarrenError("not_found", `There is no queue named "${name}".`);
  }
  return (listener) => watchers.watch(name, listener, intervalMs);
}
