import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { LeadershipStore } from "../store/store";

export interface LeaderOptions {
  /** How long a lease lasts without renewal: a dead leader's role is free after at most this. */
  ttlMs?: number;
  now?: () => number;
  log?: (message: string) => void;
}

/**
 * One process of a group leads `role` at a time (lib/store LeadershipStore). Call `check()` before
 * each round of the job: it takes or renews the lease when a third of it has passed, and answers
 * false on any doubt (the database unreachable, the lease lost), so two processes never both believe
 * they lead for longer than a lease. `stop()` hands the role over at once.
 */
export class Leader {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private leadingUntil = 0;
  private renewedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly store: LeadershipStore,
    readonly role: string,
    private readonly options: LeaderOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether this process leads `role` now (renewing the lease when due). */
  async check(): Promise<boolean> {
    if (this.stopped) return false;
    const at = this.now();
    if (at < this.leadingUntil && at - this.renewedAt < this.ttlMs / 3) return true;
    const was = at < this.leadingUntil;
    try {
      const won = await this.store.acquire(this.role, this.holder, at, this.ttlMs);
      this.leadingUntil = won ? at + this.ttlMs : 0;
      this.renewedAt = won ? at : Number.NEGATIVE_INFINITY;
    } catch (error) {
      this.leadingUntil = 0;
      this.options.log?.(`[leader] ${this.role}: could not renew (${(error as Error).message}); not leading`);
    }
    if (this.stopped) {
      // stop() ran while this renewal was in flight: give back what it may just have taken.
      this.leadingUntil = 0;
      await this.store.release(this.role, this.holder).catch(() => undefined);
      return false;
    }
    const is = this.now() < this.leadingUntil;
    if (is !== was) this.options.log?.(`[leader] ${this.role}: ${is ? "leading" : "no longer leading"}`);
    return is;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leadingUntil === 0) return;
    this.leadingUntil = 0;
    await this.store.release(this.role, this.holder).catch(() => undefined);
  }
}
