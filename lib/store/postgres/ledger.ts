import type { Pool, PoolClient } from "pg";
import { causeOf } from "../../books/cost";
import { classifyExisting, type LedgerOutcome, type Payment } from "../../payments/decide";
import type { LedgerEntry } from "../../payments/ledger";
import { amountCents } from "../../payments/pricing";
import { type PaymentRow, paymentColumns, sourceOf, toPayment } from "../rows";
import type { DeadLetterProducer, DeadLetterSource, PaymentStore } from "../store";
import { PartialBatchError } from "../unavailable";
import { inTransaction, statementWithRetry } from "./tx";

/**
 * The payments ledger on PostgreSQL, for any number of workers at once. A delivery
 * batch is one transaction: `INSERT … ON CONFLICT (order_id) DO NOTHING RETURNING` pays
 * the orders nobody paid yet, and the rest are classified (duplicate or conflict, by the
 * same rule as on SQLite: lib/payments/decide.ts) from the rows that stopped them. Every
 * statement touches its keys in sorted order, so two workers with overlapping batches
 * wait for each other instead of deadlocking; a deadlock or serialization failure that
 * still happens runs the batch again.
 */
/**
 * Ack times: the newest delivery of each acked message id. Each id is looked up in
 * deliveries(message_id), one index probe each, whatever the table's size:
 * - as a correlated `ORDER BY id DESC LIMIT 1` the planner walked the primary key backwards from
 *   the newest delivery for every ack (1.6 ms of server CPU per ack at 30,000 deliveries);
 * - as a plain join it chose a hash join over a sequential scan of all deliveries for a flush of a
 *   few thousand acks while the table held up to a few hundred thousand rows (~25 µs of server CPU
 *   per ack at 100,000, four times the probes, and a scan per flush of every worker).
 * `OFFSET 0` keeps the lateral subquery from being flattened into that join.
 */
export const RECORD_ACKS_SQL = `INSERT INTO delivery_acks (delivery_id, acked_at)
  SELECT DISTINCT ON (a.message_id) d.id, a.at
    FROM unnest($1::text[], $2::bigint[]) AS a(message_id, at)
    CROSS JOIN LATERAL (SELECT id FROM deliveries WHERE message_id = a.message_id OFFSET 0) AS d
   ORDER BY a.message_id, d.id DESC
  ON CONFLICT (delivery_id) DO UPDATE SET acked_at = excluded.acked_at`;

export class PgLedger implements PaymentStore {
  /** Batches run again after a deadlock or serialization failure (observational). */
  retries = 0;

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  async recordBatch(entries: LedgerEntry[]): Promise<LedgerOutcome[]> {
    if (entries.length === 0) return [];
    await this.ready();
    const onRetry = () => {
      this.retries++;
    };
    const orders = new Set(entries.map((e) => e.order.orderId));
    if (orders.size < entries.length) {
      // Copies inside the batch: the whole batch the careful way (classify each).
      return inTransaction(this.pool, (client) => this.record(client, entries), { onRetry });
    }
    // The common case, new orders each once: paid in ONE statement (its own transaction, one
    // round trip instead of BEGIN, INSERT, INSERT, COMMIT). What it could not pay (paid before,
    // by anyone) is classified in a second transaction by the careful path.
    const at = this.now();
    const paid = await this.payNew(entries, at, onRetry);
    if (paid.size === entries.length) return entries.map((entry) => paidOutcome(entry, paid, at));
    const rest = entries.filter((e) => !paid.has(e.order.orderId));
    let restOutcomes: LedgerOutcome[];
    try {
      restOutcomes = await inTransaction(this.pool, (client) => this.record(client, rest), { onRetry });
    } catch (error) {
      // The new orders are paid (committed): say so, so they are not recorded again as duplicates.
      throw new PartialBatchError<LedgerOutcome>(
        entries.map((entry) => (paid.has(entry.order.orderId) ? paidOutcome(entry, paid, at) : undefined)),
        error as Error,
      );
    }
    const byEntry = new Map(rest.map((entry, i) => [entry, restOutcomes[i] as LedgerOutcome]));
    return entries.map((entry) => byEntry.get(entry) ?? paidOutcome(entry, paid, at));
  }

  /**
   * Pays the orders nobody paid yet and writes their delivery rows, in one statement (distinct
   * order ids). Keys are inserted in sorted order, as in
   * record(), so two workers wait for each other instead of deadlocking; a deadlock that still
   * happens runs the statement again. Returns the sequence number of each order paid now.
   */
  private async payNew(entries: LedgerEntry[], at: number, onRetry: () => void): Promise<Map<string, number>> {
    const sorted = [...entries].sort((a, b) => compare(a.order.orderId, b.order.orderId));
    const { rows } = await statementWithRetry<{ order_id: string; seq: number }>(
      this.pool,
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::bigint[], $8::int[], $9::bigint[])
           WITH ORDINALITY AS p(order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, redelivered, delivered_at, n)
       ), paid AS (
         INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at, redelivered)
         SELECT order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, $10, redelivered FROM input ORDER BY n
         ON CONFLICT (order_id) DO NOTHING
         RETURNING order_id, seq
       ), d AS (
         INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome)
         SELECT i.order_id, i.message_id, i.delivered_at, i.redelivered, 'paid' FROM paid JOIN input i USING (order_id) ORDER BY i.n
       )
       SELECT order_id, seq FROM paid`,
      [
        sorted.map((e) => e.order.orderId),
        sorted.map((e) => e.messageId),
        sorted.map((e) => e.order.item),
        sorted.map((e) => e.order.quantity),
        sorted.map((e) => amountCents(e.order.item, e.order.quantity)),
        sorted.map((e) => e.order.bodyHash),
        sorted.map((e) => e.order.placedAt),
        sorted.map((e) => (e.redelivered ? 1 : 0)),
        sorted.map((e) => e.deliveredAt ?? at),
        at,
      ],
      { onRetry },
    );
    return new Map(rows.map((row) => [row.order_id, Number(row.seq)]));
  }

  private async record(client: PoolClient, entries: LedgerEntry[]): Promise<LedgerOutcome[]> {
    const at = this.now();
    // The first entry of each order id is the one that may pay it; sorted by order id (lock order).
    const firsts = new Map<string, LedgerEntry>();
    for (const entry of entries) if (!firsts.has(entry.order.orderId)) firsts.set(entry.order.orderId, entry);
    const candidates = [...firsts.values()].sort((a, b) => compare(a.order.orderId, b.order.orderId));
    const { rows: inserted } = await client.query<{ order_id: string; seq: number }>(
      `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at, redelivered)
       SELECT p.order_id, p.message_id, p.item, p.quantity, p.amount_cents, p.body_hash, p.placed_at, $9, p.redelivered
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::bigint[], $8::int[])
           AS p(order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, redelivered)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING order_id, seq`,
      [
        candidates.map((e) => e.order.orderId),
        candidates.map((e) => e.messageId),
        candidates.map((e) => e.order.item),
        candidates.map((e) => e.order.quantity),
        candidates.map((e) => amountCents(e.order.item, e.order.quantity)),
        candidates.map((e) => e.order.bodyHash),
        candidates.map((e) => e.order.placedAt),
        candidates.map((e) => (e.redelivered ? 1 : 0)),
        at,
      ],
    );
    const paidNow = new Map(inserted.map((row) => [row.order_id, row.seq]));
    // What stopped the others: a payment committed earlier (by anyone). READ COMMITTED: this statement sees it.
    const others = candidates.filter((e) => !paidNow.has(e.order.orderId)).map((e) => e.order.orderId);
    const hashOf = new Map<string, string>();
    for (const entry of candidates)
      if (paidNow.has(entry.order.orderId)) hashOf.set(entry.order.orderId, entry.order.bodyHash);
    if (others.length > 0) {
      const { rows } = await client.query<{ order_id: string; body_hash: string }>(
        "SELECT order_id, body_hash FROM payments WHERE order_id = ANY($1::text[])",
        [others],
      );
      for (const row of rows) hashOf.set(row.order_id, row.body_hash);
    }

    // Why the rest came (lib/books/cost.ts): the broker's flag, or how often Warren's relay sent the order.
    // Every order with an absorbed copy: paid before this batch, or a second copy of one paid in it.
    const absorbedIds = [
      ...new Set(
        entries
          .filter((e) => !(paidNow.has(e.order.orderId) && firsts.get(e.order.orderId) === e))
          .map((e) => e.order.orderId),
      ),
    ];
    const publishes = new Map<string, number>();
    if (absorbedIds.length > 0) {
      const { rows } = await client.query<{ order_id: string; publishes: number }>(
        "SELECT order_id, publishes FROM orders WHERE order_id = ANY($1::text[])",
        [absorbedIds],
      );
      for (const row of rows) publishes.set(row.order_id, row.publishes);
    }

    const outcomes = entries.map((entry): LedgerOutcome => {
      const { order } = entry;
      const seq = paidNow.get(order.orderId);
      if (seq !== undefined && firsts.get(order.orderId) === entry) {
        const amount = amountCents(order.item, order.quantity);
        return {
          kind: "paid",
          payment: toPayment({
            seq,
            order_id: order.orderId,
            item: order.item,
            quantity: order.quantity,
            amount_cents: amount,
            placed_at: order.placedAt,
            paid_at: at,
          }),
        };
      }
      const existing = hashOf.get(order.orderId);
      if (existing === undefined) throw new Error(`order ${order.orderId}: neither paid now nor found paid`);
      return {
        ...classifyExisting(existing, order),
        cause: causeOf({ redelivered: entry.redelivered, publishes: publishes.get(order.orderId) ?? null }),
      };
    });

    await this.recordDeliveries(client, entries, outcomes, at);
    return outcomes;
  }

  /**
   * What the batch leaves besides payments, in one statement (one round trip): the duplicates,
   * the absorbed, and every delivery. (The `messages` table is no longer written: `deliveries`
   * holds every delivery of every message id.)
   */
  private async recordDeliveries(client: PoolClient, entries: LedgerEntry[], outcomes: LedgerOutcome[], at: number) {
    const duplicates = entries.filter((_, i) => outcomes[i]?.kind === "duplicate");
    const absorbed = entries.flatMap((entry, i) => {
      const outcome = outcomes[i];
      return outcome && outcome.kind !== "paid"
        ? [{ entry, kind: outcome.kind, cause: outcome.cause ?? "producer_resend" }]
        : [];
    });
    await client.query(
      `WITH d AS (
         INSERT INTO duplicates (order_id, message_id, redelivered, seen_at)
         SELECT d.order_id, d.message_id, d.redelivered, $1
           FROM unnest($2::text[], $3::text[], $4::int[]) AS d(order_id, message_id, redelivered)
       ), a AS (
         INSERT INTO absorbed (at, cause, kind, order_id, message_id)
         SELECT $1, a.cause, a.kind, a.order_id, a.message_id
           FROM unnest($11::text[], $12::text[], $13::text[], $14::text[]) AS a(cause, kind, order_id, message_id)
       )
       INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome, reason)
       SELECT * FROM unnest($5::text[], $6::text[], $7::bigint[], $8::int[], $9::text[], $10::text[])`,
      [
        at,
        duplicates.map((e) => e.order.orderId),
        duplicates.map((e) => e.messageId),
        duplicates.map((e) => (e.redelivered ? 1 : 0)),
        entries.map((e) => e.order.orderId),
        entries.map((e) => e.messageId),
        entries.map((e) => e.deliveredAt ?? at),
        entries.map((e) => (e.redelivered ? 1 : 0)),
        outcomes.map((o) => o.kind),
        outcomes.map((o) => (o.kind === "conflict" ? o.reason : null)),
        absorbed.map((a) => a.cause),
        absorbed.map((a) => a.kind),
        absorbed.map((a) => a.entry.order.orderId),
        absorbed.map((a) => a.entry.messageId),
      ],
    );
  }

  async recordDeadLetter(
    messageId: string,
    orderId: string | null,
    reason: string,
    redelivered: boolean,
    producer?: DeadLetterProducer,
  ): Promise<undefined> {
    await this.ready();
    const at = this.now();
    // No row id back: PostgreSQL writes ack times by message id (deliveries_message).
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome, reason)
         VALUES ($1, $2, $3, $4, 'dead-lettered', $5)`,
        [orderId, messageId, at, redelivered ? 1 : 0, reason],
      );
      if (producer) {
        await client.query(
          "INSERT INTO dead_letter_sources (at, reason_group, app_id, user_id, message_id) VALUES ($1, $2, $3, $4, $5)",
          [at, producer.group, producer.appId, producer.userId, messageId],
        );
        await client.query(
          `INSERT INTO dead_letter_producers AS p (reason_group, app_id, user_id, count, first_at, last_at)
           VALUES ($1, $2, $3, 1, $4, $4)
           ON CONFLICT (reason_group, app_id, user_id)
           DO UPDATE SET count = p.count + 1, last_at = GREATEST(p.last_at, EXCLUDED.last_at)`,
          [producer.group, producer.appId ?? "", producer.userId ?? "", at],
        );
      }
    });
    return undefined;
  }

  async deadLetterSources(window: { minuteAgo: number; hourAgo: number }, limit: number): Promise<DeadLetterSource[]> {
    await this.ready();
    const { rows } = await this.pool.query(
      `SELECT p.reason_group, NULLIF(p.app_id, '') AS app_id, NULLIF(p.user_id, '') AS user_id, p.count,
              p.first_at, p.last_at, COALESCE(r.last_minute, 0) AS last_minute, COALESCE(r.last_hour, 0) AS last_hour
         FROM dead_letter_producers p
         LEFT JOIN (SELECT reason_group, COALESCE(app_id, '') AS app_id, COALESCE(user_id, '') AS user_id,
                           COUNT(*) FILTER (WHERE at >= $1) AS last_minute, COUNT(*) AS last_hour
                      FROM dead_letter_sources WHERE at >= $2
                     GROUP BY 1, 2, 3) r
           ON r.reason_group = p.reason_group AND r.app_id = p.app_id AND r.user_id = p.user_id
        ORDER BY p.last_at DESC LIMIT $3`,
      [window.minuteAgo, window.hourAgo, limit],
    );
    return rows.map(sourceOf);
  }

  async pruneDeadLetterSources(before: number): Promise<number> {
    await this.ready();
    const result = await this.pool.query("DELETE FROM dead_letter_sources WHERE at < $1", [before]);
    return result.rowCount ?? 0;
  }

  async deadLettersSince(from: number): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM dead_letter_sources WHERE at >= $1",
      [from],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async recordAcks(acks: Array<{ messageId: string; at: number }>): Promise<void> {
    if (acks.length === 0) return;
    await this.ready();
    // Acked: the latest delivery of each message id (the last ack of a message id in the batch wins).
    const latest = [...new Map(acks.map((a) => [a.messageId, a.at]))].sort(([a], [b]) => compare(a, b));
    await inTransaction(this.pool, (client) =>
      client.query(RECORD_ACKS_SQL, [latest.map(([id]) => id), latest.map(([, at]) => at)]),
    );
  }

  async recent(limit = 50): Promise<Payment[]> {
    await this.ready();
    const { rows } = await this.pool.query<PaymentRow>(
      `SELECT ${paymentColumns} FROM payments ORDER BY seq DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toPayment);
  }

  /**
   * Payments after `seq`, in the order a resuming reader can trust. With concurrent
   * writers a sequence number is not commit order: a batch holding seq 5 may commit after
   * one holding seq 6, and a reader that saw 6 would skip 5 for ever. So rows are served
   * in (transaction id, seq) order, and only rows of transactions older than every
   * transaction still running (`pg_snapshot_xmin`): no row can appear later before them.
   * The resume point is the (transaction id, seq) of the row the client last saw, found
   * by its seq (payments are never deleted). That is exact for a reader whose cursor moves
   * through since() alone; an id taken from the live fanout (publish order, not this order)
   * can still pass over a payment of an older transaction announced later, so a resumable
   * stream should serve payments from since() and use the fanout only as a wake-up.
   */
  async since(seq: number, limit = 500): Promise<Payment[]> {
    await this.ready();
    const { rows } = await this.pool.query<PaymentRow>(
      `WITH cursor AS (
         SELECT COALESCE((SELECT xid FROM payments WHERE seq = $1), '0'::xid8) AS xid, $1::bigint AS seq
       )
       SELECT ${paymentColumns.replace(/(\w+)/g, "p.$1")} FROM payments p, cursor c
        WHERE p.xid < pg_snapshot_xmin(pg_current_snapshot())
          AND (p.xid, p.seq) > (c.xid, c.seq)
        ORDER BY p.xid, p.seq
        LIMIT $2`,
      [seq, limit],
    );
    return rows.map(toPayment);
  }

  /** The last payment visible to every reader, in since() order (see since()). */
  async head(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ seq: number }>(
      `SELECT seq FROM payments WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY xid DESC, seq DESC LIMIT 1`,
    );
    return rows[0]?.seq ?? 0;
  }

  async counts(): Promise<{ payments: number; duplicates: number }> {
    await this.ready();
    const { rows } = await this.pool.query<{ payments: number; duplicates: number }>(
      "SELECT (SELECT COUNT(*) FROM payments) AS payments, (SELECT COUNT(*) FROM duplicates) AS duplicates",
    );
    return rows[0] ?? { payments: 0, duplicates: 0 };
  }

  async paidHashes(orderIds: string[]): Promise<Map<string, string>> {
    if (orderIds.length === 0) return new Map();
    await this.ready();
    const { rows } = await this.pool.query<{ order_id: string; body_hash: string }>(
      "SELECT order_id, body_hash FROM payments WHERE order_id = ANY($1::text[])",
      [orderIds],
    );
    return new Map(rows.map((row) => [row.order_id, row.body_hash]));
  }
}

/** The outcome of an entry payNew() paid. */
function paidOutcome(entry: LedgerEntry, paid: Map<string, number>, at: number): LedgerOutcome {
  const { order } = entry;
  return {
    kind: "paid",
    payment: toPayment({
      seq: paid.get(order.orderId) as number,
      order_id: order.orderId,
      item: order.item,
      quantity: order.quantity,
      amount_cents: amountCents(order.item, order.quantity),
      placed_at: order.placedAt,
      paid_at: at,
    }),
  };
}

/** Byte order, as PostgreSQL's C collation would sort: the same order in every worker. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
