import type { Pool, PoolClient } from "pg";
import type { ClaimRequest, Lease, NewOrder, OrderStore, OutboxRow, PublishOutcome, RetryAt } from "../store";
import { STATEMENT_NOW as NOW, OUTBOX_BACKLOG_SQL } from "./clock";
import { inTransaction } from "./tx";

/**
 * Order intake and the outbox on PostgreSQL. A batch of orders is one transaction of
 * two statements whatever its size: the rows travel as arrays and `unnest` turns them
 * back into rows. Relays on any number of machines claim due rows with
 * `FOR UPDATE SKIP LOCKED`, so two never hold one row, and none waits for another.
 *
 * Those machines' clocks may disagree: a row's lease, its retry time and a relay's heartbeat are
 * granted, renewed and judged by the database's clock (./clock.ts), never the caller's. A time the
 * caller passes counts only as a distance from its own `at` (a 30 s lease is 30 s from the
 * database's now), so lease_until, next_attempt_at and relays.alive_until are in the database's
 * clock. So is created_at: it dates the backlog, whose age every process reads against its own
 * clock (backlog() moves it into the caller's), and orders rows across relays. orders.placed_at
 * stays the order's own placedAt (the accepting relay's clock): the trace and the books show it
 * as the order says, no age is judged from it across machines.
 */
export class PgOrderStore implements OrderStore {
  /** Host + pid says nothing about a relay on another machine: a dead relay's rows come back when its lease runs out. */
  readonly leaseLiveness = "expiry" as const;

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async accept(
    { orders, lease, outcomes, at }: { orders: NewOrder[]; lease: Lease; outcomes: PublishOutcome[]; at: number },
    retryAt: RetryAt,
  ): Promise<void> {
    await this.ready();
    const insert = (client: Pool | PoolClient) =>
      client.query(
        `WITH o AS (
           INSERT INTO orders (order_id, item, quantity, source, placed_at, status, traceparent)
           SELECT o.id, o.item, o.quantity, o.source, o.placed_at, 'accepted', o.traceparent
             FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $9::text[])
                  AS o(id, item, quantity, source, placed_at, traceparent)
           ON CONFLICT (order_id) DO NOTHING
         )
         INSERT INTO outbox (order_id, body, created_at, next_attempt_at, lease_owner, lease_until, traceparent)
         SELECT o.id, o.body, ${NOW}, ${NOW}, $7, ${NOW} + $8::bigint, o.traceparent
           FROM unnest($1::text[], $6::text[], $9::text[]) AS o(id, body, traceparent)
         ON CONFLICT (order_id) DO NOTHING`,
        [
          orders.map((o) => o.order.orderId),
          orders.map((o) => o.order.item),
          orders.map((o) => o.order.quantity),
          orders.map((o) => o.source),
          orders.map((o) => o.order.placedAt),
          orders.map((o) => o.body),
          lease.owner,
          lease.until - at,
          orders.map((o) => o.traceparent ?? null),
        ],
      );
    // Orders alone: one statement is one transaction (one round trip); with outcomes, one transaction for all.
    if (outcomes.length === 0) {
      if (orders.length > 0) await insert(this.pool);
      return;
    }
    await inTransaction(this.pool, async (client) => {
      if (orders.length > 0) await insert(client);
      await applyOutcomes(client, outcomes, retryAt);
    });
  }

  async recordOutcomes(outcomes: PublishOutcome[], retryAt: RetryAt): Promise<void> {
    if (outcomes.length === 0) return;
    await this.ready();
    await inTransaction(this.pool, (client) => applyOutcomes(client, outcomes, retryAt));
  }

  async claimDue({ dueBy, at, limit, lease, exclude }: ClaimRequest): Promise<OutboxRow[]> {
    await this.ready();
    // The inner SELECT sees each row before the UPDATE: its lease_owner is the previous owner.
    // Due, expired and overdue by the database's clock; `dueBy` and the lease counted from the caller's `at`.
    const { rows } = await this.pool.query<{
      order_id: string;
      body: string;
      previous: string | null;
      created_at: number;
      traceparent: string | null;
    }>(
      `WITH claimed AS (
       UPDATE outbox o SET lease_owner = $3, lease_until = ${NOW} + $4::bigint
         FROM (SELECT order_id, lease_owner FROM outbox
                WHERE next_attempt_at <= ${NOW} + $1::bigint
                  AND (lease_until < ${NOW} OR lease_owner = $3
                       OR EXISTS (SELECT 1 FROM relays r WHERE r.owner = outbox.lease_owner AND r.alive_until < ${NOW}))
                  AND order_id <> ALL($5::text[])
                ORDER BY created_at LIMIT $2
                FOR UPDATE SKIP LOCKED) c
        WHERE o.order_id = c.order_id
        RETURNING o.order_id, o.body, c.lease_owner AS previous, o.created_at, o.traceparent
       ), republished AS (
         -- The first publish follows intake (publishes = 1); a claimed row is sent again.
         UPDATE orders SET publishes = publishes + 1 WHERE order_id IN (SELECT order_id FROM claimed)
       )
       SELECT * FROM claimed`,
      [dueBy - at, limit, lease.owner, lease.until - at, [...exclude]],
    );
    rows.sort((a, b) => a.created_at - b.created_at || (a.order_id < b.order_id ? -1 : 1));
    return rows.map((row) => ({
      orderId: row.order_id,
      body: row.body,
      previousOwner: row.previous,
      traceparent: row.traceparent,
    }));
  }

  async pending(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox");
    return rows[0]?.n ?? 0;
  }

  /** The oldest row's created_at moved into the caller's clock: `at` less its age by the database's. */
  async backlog(at: number): Promise<{ pending: number; oldestCreatedAt: number | null }> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number; oldest: number | null }>(OUTBOX_BACKLOG_SQL, [at]);
    return { pending: rows[0]?.n ?? 0, oldestCreatedAt: rows[0]?.oldest ?? null };
  }

  /** Leases running now by the database's clock (`_at` is the caller's). */
  async leaseOwners(_at: number): Promise<string[]> {
    await this.ready();
    const { rows } = await this.pool.query<{ lease_owner: string }>(
      `SELECT DISTINCT lease_owner FROM outbox WHERE lease_owner IS NOT NULL AND lease_until >= ${NOW}`,
    );
    return rows.map((row) => row.lease_owner);
  }

  async releaseLeases(owner: string): Promise<void> {
    await this.ready();
    await this.pool.query("UPDATE outbox SET lease_until = 0 WHERE lease_owner = $1", [owner]);
    await this.pool.query("DELETE FROM relays WHERE owner = $1", [owner]);
  }

  async heartbeat(owner: string, aliveMs: number): Promise<void> {
    await this.ready();
    // A relay that never beat keeps its leases to their end; the rows of one that stopped come back once it is overdue.
    await this.pool.query(
      `INSERT INTO relays (owner, alive_until) VALUES ($1, ${NOW} + $2::bigint)
       ON CONFLICT (owner) DO UPDATE SET alive_until = GREATEST(relays.alive_until, excluded.alive_until)`,
      [owner, aliveMs],
    );
  }
}

/** Confirms leave the outbox (the order row keeps the trace); failures count, note the error and wait. */
async function applyOutcomes(client: PoolClient, outcomes: PublishOutcome[], retryAt: RetryAt): Promise<void> {
  const confirmed = outcomes.filter((o) => o.kind === "confirmed");
  const failed = outcomes.filter((o) => o.kind === "failed");
  if (confirmed.length > 0) {
    const ids = confirmed.map((o) => o.orderId);
    await client.query("DELETE FROM outbox WHERE order_id = ANY($1::text[])", [ids]);
    await client.query(
      `UPDATE orders o SET status = 'confirmed', confirmed_at = c.at, error = NULL
         FROM unnest($1::text[], $2::bigint[]) AS c(id, at) WHERE o.order_id = c.id`,
      [ids, confirmed.map((o) => o.at)],
    );
  }
  if (failed.length > 0) {
    // The backoff grows with the attempts made so far: read them (locked) to compute each row's retry time.
    const { rows } = await client.query<{ order_id: string; attempts: number }>(
      "SELECT order_id, attempts FROM outbox WHERE order_id = ANY($1::text[]) ORDER BY order_id FOR UPDATE",
      [failed.map((o) => o.orderId)],
    );
    const attemptsOf = new Map(rows.map((row) => [row.order_id, row.attempts]));
    const attempted = failed.map((o) => {
      const attempts = (attemptsOf.get(o.orderId) ?? 0) + 1;
      attemptsOf.set(o.orderId, attempts);
      // The backoff is a duration: due that long after now by the database's clock, like every relay sees it.
      // Counted from when the outcome is written, not from the failure: an outcome held back while
      // the database was away waits its full backoff after the write (at most one more backoff).
      return { id: o.orderId, error: o.error, backoff: retryAt(attempts, o.at) - o.at, attempts };
    });
    // One row per order (the last attempt counts): an UPDATE … FROM with two matches applies either.
    const updates = [...new Map(attempted.map((u) => [u.id, u])).values()];
    await client.query(
      `UPDATE outbox o SET attempts = f.attempts, lease_until = 0, last_error = f.error, next_attempt_at = ${NOW} + f.backoff
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) AS f(id, error, backoff, attempts)
        WHERE o.order_id = f.id`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.error),
        updates.map((u) => u.backoff),
        updates.map((u) => u.attempts),
      ],
    );
    await client.query(
      `UPDATE orders o SET error = f.error FROM unnest($1::text[], $2::text[]) AS f(id, error) WHERE o.order_id = f.id`,
      [updates.map((u) => u.id), updates.map((u) => u.error)],
    );
  }
}
