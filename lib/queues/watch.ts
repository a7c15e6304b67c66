import "server-only";
import { EventEmitter } from "node:events";
import { WarrenError } from "../errors";
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
      if (this.listenerCount("detail") === 0) this.stop();
    };
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.removeAllListeners("detail");
    this.onIdle();
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

const store = globalThis as typeof globalThis & { __warrenQueueWatchers?: Map<string, QueueWatcher> };

function watchers(): Map<string, QueueWatcher> {
  store.__warrenQueueWatchers ??= new Map();
  return store.__warrenQueueWatchers;
}

/**
 * Checks the queue (404 when it does not exist, 503 when the watcher cap is
 * reached), then returns a subscribe function for its details.
 */
export async function watchQueue(
  name: string,
  intervalMs = 1000,
): Promise<(listener: (detail: QueueDetail) => void) => () => void> {
  if (!watchers().has(name)) {
    if (watchers().size >= MAX_WATCHERS) {
      throw WarrenError.tooManyRequests(
        `Warren already watches ${MAX_WATCHERS} queues live; try again when a queue page is closed.`,
        10,
      );
    }
    const detail = await queueDetail(name);
    if (!detail.exists) throw new WarrenError("not_found", `There is no queue named "${name}".`);
  }
  return (listener) => {
    const all = watchers();
    let watcher = all.get(name);
    if (!watcher) {
      watcher = new QueueWatcher(name, intervalMs, () => all.delete(name));
      all.set(name, watcher);
    }
    return watcher.subscribe(listener);
  };
}

/** How many queues are watched in this process (for tests and metrics). */
export function watchedQueueCount(): number {
  return watchers().size;
}
