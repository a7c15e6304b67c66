import { type RateLimiterAbstract, RateLimiterMemory } from "rate-limiter-flexible";
import { isRefusal } from "../store/limits";
import type { LimitsStore } from "../store/store";

/**
 * Sign-in guessing limits (rate-limiter-flexible):
 * - per client: 30 failed attempts per 15 minutes, then 15 minutes refused;
 * - per account: 5 failed attempts in a row lock the name out, for a time that
 *   doubles with each lockout (1 min, 2, 4 … up to an hour).
 * A point is taken before the password is checked, so parallel guesses count
 * at once instead of all slipping through while the first is being verified;
 * a success gives the client's point back and clears the account's streak.
 *
 * With a store, every count (the lockouts too) lives in it (migration 10): every web
 * process of one database counts together, so N processes behind a load balancer
 * allow what one does. A call the database cannot answer is counted in this
 * process's memory instead (the library's insurance limiter), with a warning in the
 * log: sign-in neither fails nor goes unlimited while the database is away, but each
 * process then counts on its own until it is back. Without a store (tests), memory only.
 */
const CLIENT_POINTS = 30;
const ACCOUNT_POINTS = 5;
const WINDOW_S = 15 * 60;
const LOCKOUT_BASE_S = 60;
const LOCKOUT_MAX_S = 60 * 60;
/** An account's lockout count (for the doubling) is forgotten a day after its last lockout, or on a success. */
const LOCKOUTS_KEPT_S = 24 * 60 * 60;
/** Expired counters are deleted at most this often per process (on an attempt: rows come from attempts). */
const PRUNE_EVERY_MS = 5 * 60_000;
/** A database that stays away is reported once per this long, not once per attempt. */
const WARN_EVERY_MS = 60_000;
/**
 * A refusal the store gave is repeated from this process's memory for at most this long: a client
 * or name that keeps guessing while refused costs the database no write per attempt (the library
 * upserts on every consume), and an operator's unlock takes effect within it.
 */
const REFUSAL_CACHED_MS = 60_000;
const REFUSALS_KEPT = 10_000;
/** Expired rows are deleted this long after they expired: another machine's clock may run behind ours. */
const PRUNE_MARGIN_MS = 60 * 60_000;

/**
 * The account part of the limits' keys. Names are ASCII (user-schema), but the lookup folds case in
 * the database (PostgreSQL's lower() maps "İ" to "i"; JavaScript's toLowerCase() does not): a
 * variant spelling must count against the same name, never get a budget of its own.
 */
export function accountKey(account: string): string {
  return account
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase();
}

export interface SignInVerdict {
  allowed: boolean;
  /** When refused: seconds until another attempt may be made. */
  retryAfterS: number;
  scope?: "client" | "account";
}

export interface SignInLimitsOptions {
  /** Where the counts live (shared by every process of the database); memory of this process when absent. */
  store?: LimitsStore;
  lockoutBaseS?: number;
  log?: (message: string) => void;
  /** The clock the prune judges expiry by (tests). */
  now?: () => number;
}

export class SignInLimits {
  private readonly byClient: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;
  /** Lockouts per account so far, for the doubling; forgotten on success. */
  private readonly lockouts: RateLimiterAbstract;
  private readonly lockoutBaseS: number;
  private prunedAt = Number.NEGATIVE_INFINITY;
  private warnedAt = Number.NEGATIVE_INFINITY;
  /** Refusals the store gave, by `client:` / `account:` key: until when this process repeats them. */
  private readonly refused = new Map<string, { until: number; retryAt: number; scope: "client" | "account" }>();

  constructor(private readonly options: SignInLimitsOptions = {}) {
    this.lockoutBaseS = options.lockoutBaseS ?? LOCKOUT_BASE_S;
    this.byClient = this.limiter({
      keyPrefix: "signin-client",
      points: CLIENT_POINTS,
      duration: WINDOW_S,
      blockDuration: WINDOW_S,
    });
    this.byAccount = this.limiter({ keyPrefix: "signin-account", points: ACCOUNT_POINTS, duration: WINDOW_S });
    // Points never consumed here: lockOut() reads and sets the count.
    this.lockouts = this.limiter({ keyPrefix: "signin-lockouts", points: 1, duration: LOCKOUTS_KEPT_S });
  }

  private limiter(policy: { keyPrefix: string; points: number; duration: number; blockDuration?: number }) {
    if (!this.options.store) return new RateLimiterMemory(policy);
    return this.options.store.limiter({
      ...policy,
      memoryInsurance: true,
      onStoreError: (error) => this.storeFailed(error),
    });
  }

  private storeFailed(error: unknown) {
    const at = Date.now();
    if (at - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = at;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.log?.(
      `[auth] sign-in limits: the database did not answer (${reason}); counting attempts in this process's memory until it does (each web process limits on its own meanwhile)`,
    );
  }

  /** Takes one attempt for this client and account, or says how long to wait. */
  async attempt(client: string, account: string): Promise<SignInVerdict> {
    const name = accountKey(account);
    const cached = this.cachedRefusal(`client:${client}`) ?? this.cachedRefusal(`account:${name}`);
    if (cached) return cached;
    await this.prune();
    try {
      await this.byClient.consume(client);
    } catch (refusal) {
      return this.refuse(`client:${client}`, "client", refusal);
    }
    try {
      // The store's upsert is atomic: of parallel attempts (on any process), exactly one sees the 5th point.
      const res = await this.byAccount.consume(name);
      if (res.remainingPoints === 0) await this.lockOut(name);
    } catch (refusal) {
      return this.refuse(`account:${name}`, "account", refusal);
    }
    return { allowed: true, retryAfterS: 0 };
  }

  private refuse(key: string, scope: "client" | "account", refusal: unknown): SignInVerdict {
    const retryAfterS = retryAfter(refusal);
    if (this.options.store) {
      if (this.refused.size >= REFUSALS_KEPT) {
        const now = Date.now();
        for (const [k, r] of this.refused) if (r.until <= now) this.refused.delete(k);
        for (const k of this.refused.keys()) {
          if (this.refused.size < REFUSALS_KEPT) break;
          this.refused.delete(k);
        }
      }
      const now = Date.now();
      this.refused.set(key, {
        until: now + Math.min(retryAfterS * 1000, REFUSAL_CACHED_MS),
        retryAt: now + retryAfterS * 1000,
        scope,
      });
    }
    return { allowed: false, retryAfterS, scope };
  }

  private cachedRefusal(key: string): SignInVerdict | null {
    const hit = this.refused.get(key);
    if (!hit) return null;
    const now = Date.now();
    if (hit.until <= now) {
      this.refused.delete(key);
      return null;
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((hit.retryAt - now) / 1000)), scope: hit.scope };
  }

  /** An operator's unlock (`npm run user -- unlock NAME`): the name's streak and lockout count are gone. */
  async unlock(account: string): Promise<void> {
    const name = accountKey(account);
    this.refused.delete(`account:${name}`);
    await this.byAccount.delete(name);
    await this.lockouts.delete(name);
  }

  async succeeded(client: string, account: string): Promise<void> {
    const name = accountKey(account);
    this.refused.delete(`account:${name}`);
    await this.byClient.reward(client, 1).catch(() => {});
    await this.byAccount.delete(name).catch(() => {});
    await this.lockouts.delete(name).catch(() => {});
  }

  private async lockOut(name: string) {
    // One process per streak gets here (the one whose point was the 5th), so read-then-write is safe.
    const count = ((await this.lockouts.get(name))?.consumedPoints ?? 0) + 1;
    await this.lockouts.set(name, count, LOCKOUTS_KEPT_S);
    // The block replaces the streak's row: once it ends, the next 5 failures lock out for twice as long.
    await this.byAccount.block(name, Math.min(LOCKOUT_MAX_S, this.lockoutBaseS * 2 ** (count - 1)));
  }

  /** Expired counters are dead rows (no read sees them): delete them now and then so the table stays small. */
  private async prune() {
    const store = this.options.store;
    const at = (this.options.now ?? Date.now)();
    if (!store || at - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = at;
    await store.pruneExpired(at - PRUNE_MARGIN_MS).catch(() => {
      // The database is away: the insurance counts meanwhile; tried again at the next period.
    });
  }
}

function retryAfter(refusal: unknown): number {
  if (isRefusal(refusal)) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  throw refusal;
}
