import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { AuditEntry, AuditInput } from "../audit/log";
import type { OrderSource, PlacedOrder } from "../orders/types";
import type { LedgerOutcome, Payment } from "../payments/decide";
import type { LedgerEntry } from "../payments/ledger";
import type { OrderSummary, OrderTrace, SearchQuery } from "../trace/trace";
import type { Role, SessionRow, SessionWithUser, UserRow } from "./accounts";

/**
 * What Warren keeps, in the words of what it does. One adapter per backend
 * implements it (lib/store/sqlite today; PostgreSQL next), and the contract
 * suite (test/unit/store-contract.test.ts) runs against each adapter factory.
 *
 * Every method is async so that a networked backend fits; the SQLite adapter
 * answers from a synchronous driver (better-sqlite3) inside the promise.
 * Times are epoch milliseconds passed in by the caller, so callers (and
 * tests) own the clock.
 */
export interface WarrenStore {
  readonly backend: string;
  readonly orders: OrderStore;
  readonly payments: PaymentStore;
  readonly trace: TraceStore;
  readonly audit: AuditStore;
  readonly idempotency: IdempotencyStore;
  readonly health: HealthStore;
  /** People and their server-side sessions: every web process of one database shares them. */
  readonly accounts: AccountsStore;
  /** Counters that expire (the sign-in guessing limits): every process of one database counts together. */
  readonly limits: LimitsStore;
  /** The operator's pause/resume/prefetch of a pipeline, stored so every process (and a later one) applies it. */
  readonly pipeline: PipelineStore;
  readonly leadership: LeadershipStore;
  readonly timing: TimingStore;
  readonly history: HistoryStore;
  readonly alerts: AlertStore;
  /** Resolves once everything committed before the call is on disk (acks and "accepted" wait for it). */
  durable(): Promise<void>;
  /**
   * Why nothing written here can be made durable any more, until the process restarts, and since
   * when (SQLite: a failed WAL sync, the file deleted); null otherwise. Absent where it cannot happen.
   */
  durabilityLost?(): { why: string; since: number } | null;
  close(): Promise<void>;
}

/** A claim on an outbox row: the owner publishes it until `until`; after that any relay may take it. */
export interface Lease {
  owner: string;
  until: number;
}

export interface NewOrder {
  order: PlacedOrder;
  source: OrderSource;
  /** The message body as it will be published (and re-published) byte for byte. */
  body: string;
  /** The W3C trace context of the request that placed it (null when tracing is off): the relay's publish continues it. */
  traceparent?: string | null;
}

/** What became of one publish attempt of an outbox row. */
export type PublishOutcome =
  | { kind: "confirmed"; orderId: string; at: number }
  | { kind: "failed"; orderId: string; error: string; at: number };

export interface OutboxRow {
  orderId: string;
  body: string;
  /** Who held the lease before this claim (null: nobody); another owner means the row was recovered. */
  previousOwner: string | null;
  /** The placing request's trace context, kept with the row so a publish after a restart continues that trace. */
  traceparent: string | null;
}

/** A relay's request for due outbox rows (see OrderStore.claimDue). */
export interface ClaimRequest {
  dueBy: number;
  at: number;
  limit: number;
  lease: Lease;
  exclude: ReadonlySet<string>;
}

/** When a row that failed `attempts` times may be tried again. */
export type RetryAt = (attempts: number, at: number) => number;

/** Order intake and the transactional outbox. */
export interface OrderStore {
  /**
   * How a dead relay's rows come back. "host-process" (one host, e.g. one SQLite file):
   * relays of this host whose process is gone free their rows at once. "expiry" (processes
   * on several machines): a host name and pid say nothing there, so a lease ends when it runs out.
   */
  readonly leaseLiveness: "host-process" | "expiry";
  /**
   * In ONE transaction: the orders (status "accepted") and their outbox rows,
   * leased to `lease.owner` so that its relay publishes them at once, plus any
   * publish outcomes waiting to be recorded. An order id already stored is left as it is.
   * The rows are due from `at`.
   */
  accept(
    batch: { orders: NewOrder[]; lease: Lease; outcomes: PublishOutcome[]; at: number },
    retryAt: RetryAt,
  ): Promise<void>;
  /**
   * In one transaction: a confirmed order leaves the outbox and is marked
   * confirmed; a failed attempt counts, notes its error and waits until `retryAt`.
   */
  recordOutcomes(outcomes: PublishOutcome[], retryAt: RetryAt): Promise<void>;
  /**
   * Claims up to `limit` rows due by `dueBy` whose lease ran out or is `lease.owner`'s,
   * oldest first, leaving out `exclude` (being published right now); leases them to `lease`.
   * A store shared by several machines ("expiry") judges by its own clock: there `dueBy` and
   * `lease.until` count as distances from `at`, as do the lease and retry times of accept()
   * and recordOutcomes().
   */
  claimDue(claim: ClaimRequest): Promise<OutboxRow[]>;
  /** Rows in the outbox: accepted, not yet confirmed by the broker. */
  pending(): Promise<number>;
  /**
   * The same count, and when the oldest of them was accepted (null when empty): for the metrics.
   * The time is in the clock of the caller, whose now is `at`: `at - oldestCreatedAt` is its age
   * (an "expiry" store dates rows by its own clock and moves the time into the caller's).
   */
  backlog(at: number): Promise<{ pending: number; oldestCreatedAt: number | null }>;
  /** Owners holding a lease that runs until `at` or later (on an "expiry" store: running now by its clock). */
  leaseOwners(at: number): Promise<string[]>;
  /** Ends every lease of `owner` (it stopped or died): its rows are due for any relay (and its heartbeat ends). */
  releaseLeases(owner: string): Promise<void>;
  /**
   * `owner` is alive for another `aliveMs` by the store's clock ("expiry" stores; others ignore
   * it). Once a relay that beat stops beating, its leases end then, not when each runs out: a
   * relay killed on another machine gives its rows back within one heartbeat period.
   */
  heartbeat(owner: string, aliveMs: number): Promise<void>;
}

/** The payments ledger: exactly-once lives here (UNIQUE order id), not in the broker. */
export interface PaymentStore {
  /** Records a delivery batch in ONE transaction; the caller acks once durable() resolves. */
  recordBatch(entries: LedgerEntry[]): Promise<LedgerOutcome[]>;
  /**
   * With `producer`, also notes who sent it (dead_letter_sources: "who sends bad messages").
   * Returns the delivery row it wrote where the store knows it (SQLite), for its ack time.
   */
  recordDeadLetter(
    messageId: string,
    orderId: string | null,
    reason: string,
    redelivered: boolean,
    producer?: DeadLetterProducer,
  ): Promise<number | undefined>;
  /**
   * Per reason group and producer: how many, first and last seen, how many since `minuteAgo` and
   * `hourAgo` (counted from the per-message rows: those pruned before `hourAgo` count as 0).
   */
  deadLetterSources(since: { minuteAgo: number; hourAgo: number }, limit: number): Promise<DeadLetterSource[]>;
  /** Messages dead-lettered by Warren at `from` or later (the dead-letter rate). */
  deadLettersSince(from: number): Promise<number>;
  /** Forgets the per-message rows older than `before` (the totals per producer stay); returns how many. */
  pruneDeadLetterSources(before: number): Promise<number>;
  /** When deliveries were acked (observational: batched apart from the payment commit). */
  recordAcks(acks: AckTime[]): Promise<void>;
  recent(limit: number): Promise<Payment[]>;
  /** Payments after `seq` (an SSE client's Last-Event-ID), oldest first. */
  since(seq: number, limit?: number): Promise<Payment[]>;
  /**
   * Where a since() reader stands once it has read every payment visible now: the seq of the
   * last of them in since() order (0: none). since(head()) returns only payments that were not
   * yet visible to every reader when head() was read, so a reader starting there skips nothing.
   */
  head(): Promise<number>;
  counts(): Promise<{ payments: number; duplicates: number }>;
  /** The body hash each of these orders was paid with; orders not paid are absent (read-only, for the redrive dry-run). */
  paidHashes(orderIds: string[]): Promise<Map<string, string>>;
}

/** The per-order trace: every hop from placed to acked, and search over orders. */
export interface TraceStore {
  order(orderId: string): Promise<OrderTrace | null>;
  search(query: SearchQuery): Promise<OrderSummary[]>;
}

/** An order the broker confirmed that is neither paid nor dead-lettered (yet). */
export interface UnresolvedOrder {
  orderId: string;
  item: string;
  confirmedAt: number;
}

/**
 * Where the books stand in the orders table (lib/books/books.ts): a position in the order the rows
 * became visible, opaque to the books. Not placed_at: with several web processes an order placed
 * earlier can commit later than one the books already passed, and would never be counted. SQLite
 * (one writer at a time): the rowid. PostgreSQL: (transaction id, seq), served only below every
 * running transaction (`pg_snapshot_xmin`), as the payments' resume is.
 */
export interface BooksCursor {
  orderId: string;
  position: string;
}

/** One order's standing in the books. */
export interface BookState {
  orderId: string;
  placedAt: number;
  confirmedAt: number | null;
  /** Its outbox row still exists: accepted, not yet confirmed by the broker. */
  inOutbox: boolean;
  /** Payment rows for it (the ledger's UNIQUE order id keeps this at most 1; more is a broken ledger). */
  payments: number;
  /** A delivery of it was dead-lettered (or refused as a conflict). */
  deadLettered: boolean;
}

/** One outbox row as the backlog panel shows it. */
export interface OutboxEntry {
  orderId: string;
  createdAt: number;
  /** Failed publish attempts so far (0: never failed). */
  attempts: number;
  /** When the relay may try it again (backoff after a failure). */
  nextAttemptAt: number;
  /** The relay (process) holding its lease, while the lease runs; null when free. */
  leaseOwner: string | null;
  leaseUntil: number;
  lastError: string | null;
}

/** The outbox at a glance: what waits for the broker, its backoff, and who holds it. */
export interface OutboxDetail {
  waiting: number;
  oldestAt: number | null;
  /** Rows that failed at least once (backing off). */
  retrying: number;
  maxAttempts: number;
  /** Leases running at the time asked, by owner. */
  owners: Array<{ owner: string; rows: number; until: number }>;
  /** The oldest rows, up to the limit asked. */
  oldest: OutboxEntry[];
}

/** The health panel's reads (the rules are in lib/health/pipeline.ts). */
export interface HealthStore {
  /** The outbox backlog: counts, backoff, lease holders at `at`, and the `limit` oldest rows; times in the caller's clock (now `at`). */
  outboxDetail(at: number, limit: number): Promise<OutboxDetail>;
  /** Orders placed after `cursor` (null: from the first), in (placedAt, orderId) order: the books' new work per tick. */
  ordersAfter(cursor: BooksCursor | null, limit: number): Promise<BooksCursor[]>;
  /** The standing of each of `orderIds` that exists (absent ids are left out). */
  bookStates(orderIds: string[]): Promise<BookState[]>;
  /** Unresolved orders confirmed before `cutoff`, oldest first. */
  unresolvedBefore(cutoff: number, limit: number): Promise<UnresolvedOrder[]>;
  countUnresolvedBefore(cutoff: number): Promise<number>;
  /** Unresolved orders confirmed in [from, to). */
  unresolvedBetween(from: number, to: number): Promise<UnresolvedOrder[]>;
  /** Which of `orderIds` are still unresolved. */
  stillUnresolved(orderIds: string[]): Promise<Set<string>>;
  /** Orders placed through Warren and payments recorded. */
  placedAndPaid(): Promise<{ placed: number; paid: number }>;
  /** The newest delivery's id: the consume rate is its growth over time. */
  lastDeliveryId(): Promise<number>;
  /**
   * Orders accepted (durable) and not yet confirmed by the broker, and when the oldest was accepted
   * (null: none), in the clock of the caller whose now is `at` (as OrderStore.backlog).
   */
  outboxBacklog(at: number): Promise<{ waiting: number; oldestAt: number | null }>;
}

/** Operator actions (and refused attempts): appended, never edited. */
export interface AuditStore {
  append(input: AuditInput): Promise<number>;
  recent(limit: number, offset?: number): Promise<AuditEntry[]>;
  /**
   * Newest first, the entries older than `beforeId` (all when null): a keyset page, read through the
   * primary key whatever the depth, and never shifted by entries appended meanwhile (an export's pages).
   */
  olderThan(beforeId: number | null, limit: number): Promise<AuditEntry[]>;
  count(): Promise<number>;
  byActionPrefix(prefix: string, limit: number): Promise<AuditEntry[]>;
  forTarget(target: string, limit: number): Promise<AuditEntry[]>;
}

/** The answer a request with an Idempotency-Key was given, kept to give it again. */
export interface IdempotentAnswer {
  status: number;
  /** The response body as sent (JSON text). */
  body: string;
}

/** What a request holding an Idempotency-Key may do. */
export type IdempotencyClaim =
  /** The key is new (or its row expired): this request serves it and must complete() or release() it. */
  | { kind: "claimed" }
  /** The key was served for the same request: give its answer again. */
  | { kind: "replay"; answer: IdempotentAnswer }
  /** The key was used for another request (another fingerprint) within the keep window. */
  | { kind: "conflict" }
  /** The same request with this key is being served right now (by this or another process). */
  | { kind: "in_progress" };

/** When one delivery was acked: by the delivery row where the store named it (SQLite), else by message id. */
export interface AckTime {
  messageId: string;
  deliveryId?: number;
  at: number;
}

/** Idempotency-Key bookkeeping: one row per key, claimed atomically so concurrent requests serve it once. */
export interface IdempotencyStore {
  /**
   * In one transaction: a row older than `keepMs` counts as absent; a new key is claimed for `fingerprint`.
   * `at` is the caller's now. A store shared by several machines (PostgreSQL) ages its rows by its own
   * clock instead, so a web process whose clock runs ahead cannot forget a key another just claimed.
   */
  claim(entry: { key: string; fingerprint: string; at: number; keepMs: number }): Promise<IdempotencyClaim>;
  /** Stores the answer of a claimed key. */
  complete(key: string, answer: IdempotentAnswer): Promise<void>;
  /** Gives up a claimed, unanswered key (the request failed): a retry serves it afresh. */
  release(key: string): Promise<void>;
  /** Deletes keys older than `keepMs` as of `at` (the caller's now; PostgreSQL ages by its own clock, as in claim()); returns how many. */
  sweep(at: number, keepMs: number): Promise<number>;
}

/** What a stored limiter counts: rate-limiter-flexible's options (points per duration, block after). */
export interface StoredLimiterOptions {
  /** Names the limiter's keys (`<keyPrefix>:<key>`): limiters of one store share one table. */
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
  /**
   * A call the database cannot answer is counted in this process's memory instead (rate-limiter-
   * flexible's insuranceLimiter: a RateLimiterMemory of the same policy) rather than failing.
   * Made by the store, not passed in: in a Next.js server the instrumentation and the route
   * handlers are separate module graphs with a copy of the library each, and the library checks
   * its insurance with `instanceof`.
   */
  memoryInsurance?: boolean;
  /** Told each error of the database (the call then went to the insurance, or failed without one). */
  onStoreError?: (error: unknown) => void;
}

/**
 * Counters that expire, in the store (migration 10: rate_limits) so that every process on
 * one database (PostgreSQL: on any machine; SQLite: on the file's host) shares them.
 */
export interface LimitsStore {
  /** A rate-limiter-flexible limiter on this store (RateLimiterPostgres / RateLimiterSQLite). */
  limiter(options: StoredLimiterOptions): RateLimiterAbstract;
  /** Forgets the counters that expired before `before` (epoch ms); returns how many. */
  pruneExpired(before: number): Promise<number>;
}

/** Users and server-side sessions (lib/auth uses them; sessions are keyed by the hash of the cookie's token). */
export interface AccountsStore {
  /** The user of this name, whatever its case. */
  userByName(name: string): Promise<UserRow | null>;
  userById(id: number): Promise<UserRow | null>;
  /** Every user, by name. */
  users(): Promise<UserRow[]>;
  countEnabledUsers(): Promise<number>;
  /** Adds a user; null when the name is taken (whatever its case), e.g. by another process at the same moment. */
  addUser(name: string, role: Role, passwordHash: string, source: "env" | "cli", now?: number): Promise<UserRow | null>;
  /** A new password, and every session of the user ends (one transaction). */
  setPassword(userId: number, passwordHash: string, now?: number): Promise<void>;
  setRole(userId: number, role: Role): Promise<void>;
  /** Disabling also ends every session of the user (one transaction). */
  setDisabled(userId: number, disabled: boolean, now?: number): Promise<void>;
  createSession(session: Omit<SessionRow, "revokedAt" | "lastSeenAt">): Promise<void>;
  sessionWithUser(id: string): Promise<SessionWithUser | null>;
  touchSession(id: string, now?: number): Promise<void>;
  /** Live (not revoked) sessions of a user, newest first. */
  sessionsOf(userId: number): Promise<SessionRow[]>;
  /** Revokes one session; returns whether it was live. */
  revokeSession(id: string, now?: number): Promise<boolean>;
  revokeUserSessions(userId: number, now?: number): Promise<number>;
  /** Forgets sessions revoked or last used before `before`; returns how many. */
  pruneSessions(before: number): Promise<number>;
}

/** The operator's settings for the payment consumers of one order queue (every process of the pipeline). */
export interface PipelineState {
  queue: string;
  paused: boolean;
  /** null: each process keeps its PREFETCH. */
  prefetch: number | null;
  /** Grows by one with each change. */
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface PipelineStore {
  /** The stored state of `queue`'s pipeline; null when no operator ever changed it. */
  read(queue: string): Promise<PipelineState | null>;
  /** Applies a change (fields left out stay as they are) in one statement and returns the new state. */
  write(
    queue: string,
    change: { paused?: boolean; prefetch?: number },
    meta: { at: number; by: string | null },
  ): Promise<PipelineState>;
}

/**
 * Leases that let one process of a group do a job at a time (sample the queue history, evaluate
 * alerts): whoever holds a role's unexpired lease leads; a holder that stops renewing loses it when
 * it runs out, and any process may take it then. Works across machines: only the database's row counts.
 */
export interface LeadershipStore {
  /**
   * Takes or renews `role` for `holder` until `at + ttlMs`, when the role is free, expired at `at`,
   * or already held by `holder`. True when `holder` leads after the call. A backend several machines
   * share (PostgreSQL) reads `at` from the database's clock instead of the caller's: machines whose
   * clocks disagree must still agree on who leads.
   */
  acquire(role: string, holder: string, at: number, ttlMs: number): Promise<boolean>;
  /** Gives the role up at once (a stopping leader), if `holder` holds it. */
  release(role: string, holder: string): Promise<void>;
  /** Who holds `role` and until when (null: nobody has ever held it). */
  current(role: string): Promise<{ holder: string; until: number } | null>;
}

/** Who sent a message that is being dead-lettered, as the broker's message properties say. */
export interface DeadLetterProducer {
  /** The reason with ids and numbers blanked (lib/deadletters/reason-group.ts). */
  group: string;
  /** The `app_id` property: whatever the producer chose to call itself (not checked by the broker). */
  appId: string | null;
  /** The `user_id` property: RabbitMQ refuses a publish whose user_id is not the connection's user. */
  userId: string | null;
}

/** One row of "who sends bad messages": a reason group and one producer identity. */
export interface DeadLetterSource {
  group: string;
  appId: string | null;
  userId: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
  lastMinute: number;
  lastHour: number;
}

export type AlertEventKind = "fired" | "resolved";

/** One time a rule fired: open (firing) until resolved, kept as history afterwards. */
export interface AlertIncident {
  id: number;
  /** The rule and its subject, e.g. "queue-idle:order_queue": at most one open incident per key. */
  key: string;
  rule: string;
  summary: string;
  firedAt: number;
  resolvedAt: number | null;
  resolution: string | null;
  /** Webhook notifications of this incident: sent, and still waiting (retrying). */
  delivered: number;
  pending: number;
}

/** A webhook as the store knows it: a hash of its URL (the id) and its redacted form (never a secret). */
export interface AlertTarget {
  id: string;
  label: string;
}

/** One notification to send (or retry): an incident's firing or resolution, to one target. */
export interface AlertDelivery {
  id: number;
  event: AlertEventKind;
  target: string;
  label: string;
  attempts: number;
  incident: AlertIncident;
}

/** The alert state of a process group (one leader evaluates and sends; every process reads). */
export interface AlertStore {
  /**
   * In one transaction: opens an incident for `key` unless one is open, with one "fired" delivery per
   * target, due at `at`. Returns the new incident, or null when it was already firing (its summary is updated).
   */
  fire(input: {
    key: string;
    rule: string;
    summary: string;
    at: number;
    targets: AlertTarget[];
  }): Promise<AlertIncident | null>;
  /** In one transaction: closes the open incident of `key` with one "resolved" delivery per target; null when none was open. */
  resolve(input: {
    key: string;
    resolution: string;
    at: number;
    targets: AlertTarget[];
  }): Promise<AlertIncident | null>;
  /** Open incidents, oldest first. */
  firing(): Promise<AlertIncident[]>;
  /** Incidents, newest first (open ones too). */
  history(limit: number): Promise<AlertIncident[]>;
  /**
   * Undelivered notifications due by `at`, oldest first; a resolution waits until its firing was
   * delivered to the same target, so a receiver always sees "fired" before "resolved".
   */
  dueDeliveries(at: number, limit: number): Promise<AlertDelivery[]>;
  delivered(id: number, at: number): Promise<void>;
  /** Counts a failed attempt, keeps its error and when to try again. */
  deliveryFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
}

/** Opens a store; the contract suite takes one of these per backend. */
export type StoreFactory = () => Promise<WarrenStore>;

/** Why a duplicate or conflict reached Warren (lib/books/cost.ts causeOf). */
export type AbsorbedCause = "broker_redelivery" | "outbox_republish" | "client_retry" | "producer_resend";
export type AbsorbedKind = "duplicate" | "conflict";

/** Absorbed duplicates and conflicts of one minute, one cause and kind. */
export interface AbsorbedMinute {
  /** The minute's start, epoch ms. */
  minute: number;
  cause: AbsorbedCause;
  kind: AbsorbedKind;
  count: number;
}

/** A paid order's stage times (epoch ms; null where a stage's time is not recorded, or not yet). */
export interface HopTimes {
  orderId: string;
  placedAt: number | null;
  /** No order row: another producer published it, so no confirm time will ever come (SQLite answers 0/1). */
  external: boolean | 0 | 1;
  confirmedAt: number | null;
  deliveredAt: number | null;
  paidAt: number;
  ackedAt: number | null;
}

/** An order row's intake and confirm times (Warren's own orders only: another producer's have no row). */
export interface OrderTimes {
  orderId: string;
  placedAt: number | null;
  confirmedAt: number | null;
}

/** Where the time goes and what exactly-once costs (issue 12, parts 3 and 7): reads over indexed time columns. */
export interface TimingStore {
  /** The intake and confirm times of these orders, by key (the hop observer's read; absent: no order row). */
  orderTimesOf(orderIds: string[]): Promise<OrderTimes[]>;
  /** The stage times of these orders, for those paid (absent ids are left out). */
  hopsOf(orderIds: string[]): Promise<HopTimes[]>;
  /**
   * Orders paid at `since` or later: how many (from the payment sequence, not a COUNT), and the
   * stage times of all of them when they are at most `sample`, else of `sample` spread evenly.
   */
  paidSince(since: number, sample: number): Promise<{ total: number; rows: HopTimes[] }>;
  /** A client retry (an Idempotency-Key replay) answered with the kept answer of `orderId`. */
  recordClientRetry(entry: { orderId: string | null; at: number }): Promise<void>;
  /** Absorbed duplicates and conflicts at `since` or later, per minute, cause and kind. */
  absorbedSince(since: number): Promise<AbsorbedMinute[]>;
  /** Deletes the absorbed rows older than `before` (through the time index); how many went. */
  pruneAbsorbed(before: number): Promise<number>;
}

/** Where a rate figure came from: the management API, Warren's own samples and counters, or rabbitmq_prometheus. */
export type RateSource = "broker" | "derived" | "prometheus";

/** One queue's figures at one moment: depth, consumers, rates (messages/s) and where the rates came from. */
export interface HistorySample {
  queue: string;
  at: number;
  ready: number | null;
  unacked: number | null;
  consumers: number | null;
  publish: number | null;
  deliver: number | null;
  ack: number | null;
  rateSource: RateSource | null;
}

/** A bucket of samples as the charts read it: averages (weighted by samples), the depth's peaks, and how many samples. */
export interface HistoryBucket extends Omit<HistorySample, "queue"> {
  readyMax: number | null;
  unackedMax: number | null;
  samples: number;
}

/** One resolution of the history: rows at `resolutionMs` are kept `keepMs`, then rolled into the next tier (or deleted). */
export interface HistoryTier {
  resolutionMs: number;
  keepMs: number;
}

/** Durable, downsampled queue history (lib/history): one leader writes, every process reads. */
export interface HistoryStore {
  /** Samples at the finest tier (`resolutionMs`), `at` floored to it; a queue's second sample in one slot is ignored. */
  record(samples: HistorySample[], resolutionMs: number): Promise<number>;
  /**
   * Rows of each tier older than its keep go into the next tier's buckets (weighted averages, peaks kept) and
   * leave theirs; rows of the last tier past its keep are deleted. Returns rows rolled up and rows deleted.
   */
  rollup(at: number, tiers: HistoryTier[]): Promise<{ rolled: number; deleted: number }>;
  /** Buckets of `stepMs` over [from, to), from every tier no coarser than `stepMs`, oldest first (empty ones absent). */
  read(queue: string, from: number, to: number, stepMs: number): Promise<HistoryBucket[]>;
  /**
   * Registers `queue` (seen now; pinned ones are never evicted); beyond `maxViewed` unpinned queues the least
   * recently viewed ones are dropped with their rows. Returns the dropped names.
   */
  track(queue: string, at: number, options: { pinned: boolean; maxViewed: number }): Promise<string[]>;
  /** Every registered queue, pinned first. */
  tracked(): Promise<string[]>;
  /** Rows kept (for one queue, or all), by resolution. */
  rowCounts(queue?: string): Promise<Record<number, number>>;
}
