import "server-only";
import { EventEmitter } from "node:events";
import { type QueueDetail, queueDetail } from "./service";

/**
 * One watcher per queue per process, however many browsers have its page
 * open: it reads the queue once a second and pushes the result to every
 * subscriber (SSE), and stops when the last one leaves.
 */
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

export function watchQueue(name: string, listener: (detail: QueueDetail) => void, intervalMs = 1000): () => void {
  store.__warrenQueueWatchers ??= new Map();
  const watchers = store.__warrenQueueWatchers;
  let watcher = watchers.get(name);
  if (!watcher) {
    watcher = new QueueWatcher(name, intervalMs, () => watchers.delete(name));
    watchers.set(name, watcher);
  }
  return watcher.subscribe(listener);
}
