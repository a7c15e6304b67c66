import type { AuditInput } from "../../audit/log";
import type { LedgerEntry } from "../../payments/ledger";
import type { SearchQuery } from "../../trace/trace";
import { type Db, openDb } from "../db";
import { durabilityOf } from "../durable";
import type {
  AccountsStore,
  AlertStore,
  AuditStore,
  HealthStore,
  HistoryStore,
  IdempotencyStore,
  LeadershipStore,
  LimitsStore,
  PaymentStore,
  PipelineStore,
  TimingStore,
  TraceStore,
  WarrenStore,
} from "../store";
import { sqliteAccounts } from "./accounts";
import { sqliteAlerts } from "./alerts";
import { AuditLog } from "./audit";
import { sqliteDeadLetterSources } from "./dead-letter-sources";
import { sqliteHealth } from "./health";
import { sqliteHistory } from "./history";
import { sqliteIdempotency } from "./idempotency";
import { sqliteLeadership } from "./leadership";
import { Ledger } from "./ledger";
import { sqliteLimits } from "./limits";
import { SqliteOrderStore } from "./outbox";
import { paidHashes } from "./paid-hashes";
import { sqlitePipeline } from "./pipeline";
import { sqliteTiming } from "./timing";
import { searchOrders, traceOrder } from "./trace";

/**
 * The SQLite adapter of the store: one file in WAL mode that web and worker
 * processes on one host share. better-sqlite3 is synchronous; each method
 * answers inside its promise. `ledger` and `auditLog` are the synchronous
 * faces the payment consumer and the audit facade still take.
 */
export class SqliteStore implements WarrenStore {
  readonly backend = "sqlite";
  readonly orders: SqliteOrderStore;
  readonly ledger: Ledger;
  readonly auditLog: AuditLog;
  readonly payments: PaymentStore;
  readonly trace: TraceStore;
  readonly audit: AuditStore;
  readonly idempotency: IdempotencyStore;
  readonly health: HealthStore;
  readonly accounts: AccountsStore;
  readonly limits: LimitsStore;
  readonly pipeline: PipelineStore;
  readonly leadership: LeadershipStore;
  readonly timing: TimingStore;
  readonly history: HistoryStore;
  readonly alerts: AlertStore;

  constructor(readonly db: Db) {
    this.orders = new SqliteOrderStore(db);
    const ledger = new Ledger(db);
    this.ledger = ledger;
    const sources = sqliteDeadLetterSources(db);
    this.payments = {
      recordBatch: (entries: LedgerEntry[]) => ledger.recordBatchYielding(entries),
      recordDeadLetter: async (messageId, orderId, reason, redelivered, producer) =>
        ledger.recordDeadLetter(messageId, orderId, reason, redelivered, producer),
      deadLetterSources: async (window, limit) => sources.sources(window, limit),
      deadLettersSince: async (from) => sources.since(from),
      pruneDeadLetterSources: async (before) => sources.prune(before),
      recordAcks: async (acks) => ledger.recordAcks(acks),
      recent: async (limit) => ledger.recent(limit),
      since: async (seq, limit) => ledger.since(seq, limit),
      head: async () => ledger.head(),
      counts: async () => ledger.counts(),
      paidHashes: async (orderIds) => paidHashes(db, orderIds),
    };
    this.trace = {
      order: async (orderId: string) => traceOrder(db, orderId),
      search: async (query: SearchQuery) => searchOrders(db, query),
    };
    const audit = new AuditLog(db);
    this.auditLog = audit;
    this.audit = {
      append: async (input: AuditInput) => audit.record(input),
      recent: async (limit, offset) => audit.recent(limit, offset),
      olderThan: async (beforeId, limit) => audit.olderThan(beforeId, limit),
      count: async () => audit.count(),
      byActionPrefix: async (prefix, limit) => audit.byActionPrefix(prefix, limit),
      forTarget: async (target, limit) => audit.forTarget(target, limit),
    };
    this.idempotency = sqliteIdempotency(db);
    this.health = sqliteHealth(db);
    this.accounts = sqliteAccounts(db);
    this.limits = sqliteLimits(db);
    this.pipeline = sqlitePipeline(db);
    this.leadership = sqliteLeadership(db);
    this.timing = sqliteTiming(db);
    this.history = sqliteHistory(db);
    this.alerts = sqliteAlerts(db);
  }

  durable(): Promise<void> {
    return durabilityOf(this.db).sync();
  }

  /** Why nothing written here can be made durable any more (until the process restarts), and since when; or null. */
  durabilityLost(): { why: string; since: number } | null {
    const lost = durabilityOf(this.db).lostError;
    return lost ? { why: lost.message, since: lost.at } : null;
  }

  async close(): Promise<void> {
    await durabilityOf(this.db).stop();
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens (creating or upgrading) the SQLite store at `path`; with `checkpoints`, WAL
 * checkpoints run on a worker thread instead of on commit (lib/store/durable.ts).
 */
export function openSqliteStore(
  path: string,
  { checkpoints = false, log }: { checkpoints?: boolean; log?: (message: string) => void } = {},
): SqliteStore {
  const store = new SqliteStore(openDb(path));
  if (checkpoints) durabilityOf(store.db).startCheckpoints(250, log);
  return store;
}
