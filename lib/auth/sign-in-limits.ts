import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Sign-in guessing limits (rate-limiter-flexible, in memory per process):
 * - per client: 30 failed attempts per 15 minutes, then 15 minutes refused;
 * - per account: 5 failed attempts in a row lock the name out, for a time that
 *   doubles with each lockout (1 min, 2, 4 … up to an hour).
 * A point is taken before the password is checked, so parallel guesses count
 * at once instead of all slipping through while the first is being verified;
 * a success gives the client's point back and clears the account's streak.
 */
const CLIENT_POINTS = 30;
const ACCOUNT_POINTS = 5;
const WINDOW_S = 15 * 60;
const LOCKOUT_BASE_S = 60;
const LOCKOUT_MAX_S = 60 * 60;

export interface SignInVerdict {
  allowed: boolean;
  /** When refused: seconds until another attempt may be made. */
  retryAfterS: number;
  scope?: "client" | "account";
}

export class SignInLimits {
  private readonly byClient: RateLimiterMemory;
  private readonly byAccount: RateLimiterMemory;
  private readonly lockoutBaseS: number;

  constructor(options: { lockoutBaseS?: number } = {}) {
    this.lockoutBaseS = options.lockoutBaseS ?? LOCKOUT_BASE_S;
    this.byClient = new RateLimiterMemory({
      keyPrefix: "signin-client",
      points: CLIENT_POINTS,
      duration: WINDOW_S,
      blockDuration: WINDOW_S,
    });
    this.byAccount = new RateLimiterMemory({ keyPrefix: "signin-account", points: ACCOUNT_POINTS, duration: WINDOW_S });
  }

  /** Lockouts per account so far, for the doubling; forgotten on success. */
  private readonly lockouts = new Map<string, number>();

  /** Takes one attempt for this client and account, or says how long to wait. */
  async attempt(client: string, account: string): Promise<SignInVerdict> {
    const name = account.toLowerCase();
    try {
      await this.byClient.consume(client);
    } catch (refusal) {
      return { allowed: false, retryAfterS: retryAfter(refusal), scope: "client" };
    }
    try {
      const res = await this.byAccount.consume(name);
      if (res.remainingPoints === 0) await this.lockOut(name);
    } catch (refusal) {
      return { allowed: false, retryAfterS: retryAfter(refusal), scope: "account" };
    }
    return { allowed: true, retryAfterS: 0 };
  }

  async succeeded(client: string, account: string): Promise<void> {
    const name = account.toLowerCase();
    await this.byClient.reward(client, 1).catch(() => {});
    await this.byAccount.delete(name).catch(() => {});
    this.lockouts.delete(name);
  }

  private async lockOut(name: string) {
    const count = (this.lockouts.get(name) ?? 0) + 1;
    if (this.lockouts.size > 100_000) this.lockouts.clear();
    this.lockouts.set(name, count);
    // The streak starts over after a lockout: the next 5 failures lock out for twice as long.
    await this.byAccount.delete(name);
    await this.byAccount.block(name, Math.min(LOCKOUT_MAX_S, this.lockoutBaseS * 2 ** (count - 1)));
  }
}

function retryAfter(refusal: unknown): number {
  if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  throw refusal;
}
