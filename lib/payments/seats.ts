import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import os from "node:os";
import { STANDING_BY } from "./standby";

/** How often a consumer standing by tries again for a seat freed by another process. */
export const SEAT_RETRY_MS = 500;

/** The seats of one machine: one per core that Node sees (cgroup quotas aside). */
export function coresHere(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length || 1;
}

export interface SeatStatus {
  /** Seats on this machine for this pipeline (0: no limit). */
  of: number;
  /** The seat this process holds (0-based), or null while it stands by. -1: no limit here (seats are off or not supported). */
  seat: number | null;
  /** Why it stands by, null while it holds a seat. */
  reason: string | null;
}

/**
 * At most `seats` payment consumers of one pipeline (one queue, one store) pay at once on one machine;
 * the others stand by, subscribed to nothing, and take a seat within `retryMs` of one being freed.
 *
 * Why: paying is CPU-bound, and the broker (and often the database) share the machine's cores. Past one
 * consumer per core, another process adds no CPU, only preemption: the bench drained 100,000 orders 15-20 %
 * slower with three workers than with two on a 2-core box, their CPU per order up by 40 %. Consumers of a
 * Kafka group beyond its partitions stand by the same way. Workers on other machines (or in containers,
 * which have a network namespace of their own) are not counted against this machine's seats.
 *
 * A seat is a Linux abstract Unix socket name (`\0warren-seat-<pipeline>-<i>`): the kernel gives each name
 * to one listener per network namespace and frees it the moment its process exits, `kill -9` included,
 * so there is no lease to expire and nothing left behind. Where abstract names do not exist (macOS,
 * Windows), there is no limit.
 */
export class ConsumerSeats extends EventEmitter {
  private server: net.Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private current: SeatStatus;
  /** Settles once the first try for a seat has an answer. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly options: {
      /** Names the pipeline: processes with the same key share the seats. */
      key: string;
      /** Seats on this machine; 0 for no limit. */
      seats: number;
      /** Where the number came from, for the reason shown while standing by. */
      seatsFrom?: string;
      retryMs?: number;
      log?: (message: string) => void;
      /** For tests: the platform whose rules apply (abstract names are Linux's). */
      platform?: NodeJS.Platform;
    },
  ) {
    super();
    this.current = { of: options.seats, seat: null, reason: "taking a seat" };
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  status(): SeatStatus {
    return { ...this.current };
  }

  /** Holds a seat (or seats are off): this process may consume. */
  get held(): boolean {
    return this.current.seat !== null;
  }

  start(): this {
    const { seats, platform = process.platform } = this.options;
    if (seats <= 0 || platform !== "linux") {
      this.set({ of: 0, seat: -1, reason: null });
      this.markReady();
      return this;
    }
    void this.tryAll();
    return this;
  }

  private nameOf(seat: number): string {
    const pipeline = createHash("sha256").update(this.options.key).digest("hex").slice(0, 16);
    return `\0warren-seat-${pipeline}-${seat}`;
  }

  private async tryAll(): Promise<void> {
    if (this.closed) return;
    const { seats, log } = this.options;
    for (let seat = 0; seat < seats; seat++) {
      const outcome = await this.tryOne(seat);
      if (this.closed) return;
      if (outcome === "held") {
        this.set({ of: seats, seat, reason: null });
        this.markReady();
        return;
      }
      if (outcome instanceof Error) {
        // Not a taken name: abstract sockets refused here (a sandbox without them). No limit then.
        log?.(`[payments] consumer seats are off on this machine (${outcome.message}): every consumer pays`);
        this.set({ of: 0, seat: -1, reason: null });
        this.markReady();
        return;
      }
    }
    this.set({
      of: seats,
      seat: null,
      reason: `${STANDING_BY}: every consumer seat of this machine for this pipeline is taken (${seats}: ${this.options.seatsFrom ?? "WARREN_CONSUMERS_PER_HOST"})`,
    });
    this.markReady();
    this.timer = setTimeout(() => void this.tryAll(), this.options.retryMs ?? SEAT_RETRY_MS);
    this.timer.unref();
  }

  private tryOne(seat: number): Promise<"held" | "taken" | Error> {
    return new Promise((resolve) => {
      const server = net.createServer((socket) => socket.destroy());
      server.unref();
      server.once("error", (error: NodeJS.ErrnoException) => {
        server.close();
        resolve(error.code === "EADDRINUSE" ? "taken" : error);
      });
      server.listen(this.nameOf(seat), () => {
        if (this.closed) {
          server.close();
          resolve("taken");
          return;
        }
        this.server = server;
        resolve("held");
      });
    });
  }

  private set(next: SeatStatus) {
    const before = this.current;
    this.current = next;
    if (before.seat !== next.seat || before.reason !== next.reason) {
      if (next.seat !== null && next.seat >= 0 && before.seat === null && before.reason !== "taking a seat") {
        this.options.log?.(`[payments] took consumer seat ${next.seat + 1} of ${next.of} on this machine`);
      } else if (next.seat === null) {
        this.options.log?.(`[payments] ${next.reason}`);
      }
      this.emit("change", this.status());
    }
  }

  /** Frees the seat at once (a process standing by takes it within its retry). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.server?.close();
    this.server = null;
    this.markReady();
  }
}
