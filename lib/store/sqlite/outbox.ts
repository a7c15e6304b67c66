import { probe, startTimer } from "../../observability/probes";
import type { Db } from "../db";
import { durabilityOf } from "../durable";
import type { ClaimRequest, Lease, NewOrder, OrderStore, OutboxRow, PublishOutcome, RetryAt } from "../store";

/**
 * Order intake and the outbox on SQLite. Statements are prepared and the
 * transaction wrappers built once: a better-sqlite3 transaction wrapper is
 * not free, and these run on every turn of the event loop under load.
 */
export class SqliteOrderStore implements OrderStore {
  readonly leaseLiveness = "host-process" as const;
  private readonly s;
  private readonly tx;

  constructor(readonly db: Db) {
    this.s = {
      insertOrder: db.prepare<[string, string, number, string, number, string | null]>(
        `INSERT OR IGNORE INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status, error, traceparent)
         VALUES (?, ?, ?, ?, ?, NULL, 'accepted', NULL, ?)`,
      ),
      insertOutbox: db.prepare<[string, string, number, number, string, number, string | null]>(
        `INSERT INTO outbox (order_id, body, created_at, next_attempt_at, lease_owner, lease_until, traceparent)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteOutbox: db.prepare<[string]>("DELETE FROM outbox WHERE order_id = ?"),
      confirmOrder: db.prepare<[number, string]>(
        "UPDATE orders SET status = 'confirmed', confirmed_at = ?, error = NULL WHERE order_id = ?",
      ),
      failOutbox: db.prepare<[string, number, string]>(
        `UPDATE outbox SET attempts = attempts + 1, lease_until = 0, last_error = ?,
           next_attempt_at = ? WHERE order_id = ?`,
      ),
      attemptsOf: db.prepare<[string], { attempts: number }>("SELECT attempts FROM outbox WHERE order_id = ?"),
      noteOrderError: db.prepare<[string, string]>("UPDATE orders SET error = ? WHERE order_id = ?"),
      due: db.prepare<
        [number, number, string, number],
        { orderId: string; body: string; owner: string | null; traceparent: string | null }
      >(
        `SELECT order_id AS orderId, body, lease_owner AS owner, traceparent FROM outbox
         WHERE next_attempt_at <= ? AND (lease_until < ? OR lease_owner = ?)
         ORDER BY created_at LIMIT ?`,
      ),
      lease: db.prepare<[string, number, string]>(
        "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE order_id = ?",
      ),
      // The first publish follows intake (publishes = 1); a claimed row is sent again.
      republish: db.prepare<[string]>("UPDATE orders SET publishes = publishes + 1 WHERE order_id = ?"),
      owners: db.prepare<[number], { lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM outbox WHERE lease_owner IS NOT NULL AND lease_until >= ?",
      ),
      release: db.prepare<[string]>("UPDATE outbox SET lease_until = 0 WHERE lease_owner = ?"),
      count: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox"),
      backlog: db.prepare<[], { n: number; oldest: number | null }>(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox",
      ),
    };
    this.tx = {
      accept: db.transaction(
        (orders: NewOrder[], lease: Lease, outcomes: PublishOutcome[], at: number, retryAt: RetryAt) => {
          for (const { order, source, body, traceparent = null } of orders) {
            this.s.insertOrder.run(order.orderId, order.item, order.quantity, source, order.placedAt, traceparent);
            this.s.insertOutbox.run(order.orderId, body, at, at, lease.owner, lease.until, traceparent);
          }
          this.applyOutcomes(outcomes, retryAt);
        },
      ),
      outcomes: db.transaction((outcomes: PublishOutcome[], retryAt: RetryAt) => this.applyOutcomes(outcomes, retryAt)),
      claim: db.transaction(
        (dueBy: number, at: number, limit: number, lease: Lease, exclude: ReadonlySet<string>): OutboxRow[] => {
          const rows = this.s.due.all(dueBy, at, lease.owner, limit).filter((row) => !exclude.has(row.orderId));
          for (const row of rows) {
            this.s.lease.run(lease.owner, lease.until, row.orderId);
            this.s.republish.run(row.orderId);
          }
          return rows.map(({ orderId, body, owner, traceparent }) => ({
            orderId,
            body,
            previousOwner: owner,
            traceparent,
          }));
        },
      ),
    };
  }

  private applyOutcomes(outcomes: PublishOutcome[], retryAt: RetryAt) {
    for (const outcome of outcomes) {
      if (outcome.kind === "confirmed") {
        this.s.deleteOutbox.run(outcome.orderId);
        this.s.confirmOrder.run(outcome.at, outcome.orderId);
      } else {
        const attempts = (this.s.attemptsOf.get(outcome.orderId)?.attempts ?? 0) + 1;
        this.s.failOutbox.run(outcome.error, retryAt(attempts, outcome.at), outcome.orderId);
        this.s.noteOrderError.run(outcome.error, outcome.orderId);
      }
    }
  }

  // IMMEDIATE: take the write lock up front (waiting busy_timeout for another process's
  // writer) instead of failing when a deferred transaction must upgrade.

  async accept(
    { orders, lease, outcomes, at }: { orders: NewOrder[]; lease: Lease; outcomes: PublishOutcome[]; at: number },
    retryAt: RetryAt,
  ): Promise<void> {
    // A file whose durability is lost (a failed WAL sync, the file deleted under us) takes no new
    // order: it could not be made durable, and the caller answers "not accepted" truthfully.
    const lost = durabilityOf(this.db).lostError;
    if (lost) throw lost;
    const startedAt = startTimer();
    this.tx.accept.immediate(orders, lease, outcomes, at, retryAt);
    probe.commit("outbox_write", startedAt);
  }

  async recordOutcomes(outcomes: PublishOutcome[], retryAt: RetryAt): Promise<void> {
    if (outcomes.length > 0) this.tx.outcomes.immediate(outcomes, retryAt);
  }

  async claimDue({ dueBy, at, limit, lease, exclude }: ClaimRequest): Promise<OutboxRow[]> {
    return this.tx.claim.immediate(dueBy, at, limit, lease, exclude);
  }

  async pending(): Promise<number> {
    return this.s.count.get()?.n ?? 0;
  }

  async backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }> {
    const row = this.s.backlog.get();
    return { pending: row?.n ?? 0, oldestCreatedAt: row?.oldest ?? null };
  }

  async leaseOwners(at: number): Promise<string[]> {
    return this.s.owners.all(at).map((row) => row.lease_owner);
  }

  async releaseLeases(owner: string): Promise<void> {
    this.s.release.run(owner);
  }

  /** One host: a dead relay is found by its pid (lib/orders/leases.ts), no heartbeat needed. */
  async heartbeat(): Promise<void> {}
}
