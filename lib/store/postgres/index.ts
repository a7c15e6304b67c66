import pg from "pg";
import type { WarrenStore } from "../store";
import { PgAccounts } from "./accounts";
import { PgAlerts } from "./alerts";
import { PgAudit } from "./audit";
import { CleanClient } from "./client";
import { PgHealth } from "./health";
import { PgHistory } from "./history";
import { PgIdempotency } from "./idempotency";
import { PgLeadership } from "./leadership";
import { PgLedger } from "./ledger";
import { PgLimits } from "./limits";
import { migratePg } from "./migrate";
import { PgOrderStore } from "./orders";
import { PgPipeline } from "./pipeline";
import { PgTiming } from "./timing";
import { PgTrace } from "./trace";

/** BIGINT (epoch ms, ids, COUNT) as a JS number: every value Warren keeps fits in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresStoreOptions {
  /** Connections in the pool (each transaction holds one for its length). */
  max?: number;
  log?: (message: string) => void;
}

/**
 * The PostgreSQL adapter of the store, for web processes and workers on any number of
 * machines. The schema is brought up to date once, before the first query (under an
 * advisory lock: lib/store/postgres/migrate.ts); every method waits for it, so opening
 * the store stays synchronous for the composition root. A commit is durable when it
 * returns (PostgreSQL fsyncs its WAL at COMMIT): durable() has nothing left to wait for.
 */
export class PostgresStore implements WarrenStore {
  readonly backend = "postgres";
  readonly orders: PgOrderStore;
  readonly payments: PgLedger;
  readonly trace: PgTrace;
  readonly audit: PgAudit;
  readonly health: PgHealth;
  readonly idempotency: PgIdempotency;
  readonly accounts: PgAccounts;
  readonly limits: PgLimits;
  readonly pipeline: PgPipeline;
  readonly leadership: PgLeadership;
  readonly timing: PgTiming;
  readonly history: PgHistory;
  readonly alerts: PgAlerts;
  private migrated: Promise<number> | null = null;

  constructor(readonly pool: pg.Pool) {
    const ready = () => this.ready();
    this.orders = new PgOrderStore(pool, ready);
    this.payments = new PgLedger(pool, ready);
    this.trace = new PgTrace(pool, ready);
    this.audit = new PgAudit(pool, ready);
    this.health = new PgHealth(pool, ready);
    this.idempotency = new PgIdempotency(pool, ready);
    this.accounts = new PgAccounts(pool, ready);
    this.limits = new PgLimits(pool, ready);
    this.pipeline = new PgPipeline(pool, ready);
    this.leadership = new PgLeadership(pool, ready);
    this.timing = new PgTiming(pool, ready);
    this.history = new PgHistory(pool, ready);
    this.alerts = new PgAlerts(pool, ready);
  }

  /** Resolves once the schema is current; a failed migration is tried again on the next call. */
  async ready(): Promise<void> {
    this.migrated ??= migratePg(this.pool).catch((error: Error) => {
      this.migrated = null;
      throw error;
    });
    await this.migrated;
  }

  durable(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.migrated?.catch(() => 0);
    await this.pool.end();
  }
}

export function openPostgresStore(url: string, { max = 10, log }: PostgresStoreOptions = {}): PostgresStore {
  const pool = new pg.Pool({
    ...withSessionOptions(url),
    Client: CleanClient,
    max,
    types,
    application_name: "warren",
    // Bounded where the answer is certain: a server that cannot be reached or a full pool fails a call
    // within 5 s (its caller retries), and the server ends a statement after 30 s. A server that took
    // a statement and then froze holds the call until it answers or the connection dies (keepAlive
    // notices a dead peer, not a stopped process). No client-side timeout: it could not tell whether
    // the commit happened, and an order answered "not accepted" must not be paid later.
    connectionTimeoutMillis: 5000,
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
  });
  // An idle connection that dies (server restart) must not take the process down: the pool replaces it.
  pool.on("error", (error) => log?.(`[db] idle PostgreSQL connection lost: ${error.message}`));
  return new PostgresStore(pool);
}

/**
 * `jit=off` for Warren's sessions, before the URL's own `options` (so a URL that sets
 * `-c jit=on` keeps it). Warren's statements are short, and PostgreSQL's JIT compiled them
 * whenever an estimate went over `jit_above_cost` (a table not analyzed yet, a flush of a few
 * thousand ack times): 20-25 ms of server CPU to save microseconds, several times a second per
 * worker in a backlog drain. pg takes the URL's `options` over the config's, so when the URL has
 * some, they are joined there.
 */
export function withSessionOptions(url: string): { connectionString: string; options?: string } {
  const ours = "-c jit=off";
  try {
    const parsed = new URL(url);
    const own = parsed.searchParams.get("options");
    if (own === null) return { connectionString: url, options: ours };
    parsed.searchParams.set("options", `${ours} ${own}`);
    return { connectionString: parsed.toString() };
  } catch {
    // Not a URL pg can read either: it says so when it connects.
    return { connectionString: url, options: ours };
  }
}
