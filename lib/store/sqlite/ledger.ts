import type { Statement } from "better-sqlite3";
import { causeOf } from "../../books/cost";
import { probe, startTimer } from "../../observability/probes";
import { classifyExisting, type LedgerOutcome, type Payment } from "../../payments/decide";
import type { LedgerEntry } from "../../payments/ledger";
import { amountCents } from "../../payments/pricing";
import { BUSY_TIMEOUT_MS, cachedStatement, type Db } from "../db";
import { durabilityOf } from "../durable";
import { type PaymentRow, paymentColumns, toPayment } from "../rows";
import type { AckTime, DeadLetterProducer } from "../store";

/**
 * The payments ledger on SQLite. Exactly-once lives here, not in the broker: a payment
 * row is UNIQUE per order id, so a redelivered or re-sent message finds the
 * row and is recorded as a duplicate. The `redelivered` flag is only kept for
 * the record; it decides nothing.
 */
export class Ledger {
  private readonly findPayment;
  private readonly insertPayment;
  private readonly insertDuplicate;
  private readonly insertDelivery;
  private readonly publishesOf;
  private readonly insertAbsorbed;
  private readonly recentStmt;
  private readonly sinceStmt;
  private readonly countsStmt;
  private readonly recordBatchTx;

  private insertSourceStmt: Statement<[number, string, string | null, string | null, string]> | null = null;
  private upsertProducerStmt: Statement<[string, string, string, number, number]> | null = null;
  constructor(
    readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.findPayment = db.prepare<[string], { body_hash: string }>("SELECT body_hash FROM payments WHERE order_id = ?");
    // New orders are the common case: insert first (one statement), look the payment up only when it was there.
    this.insertPayment = db.prepare<[string, string, string, number, number, string, number | null, number, number]>(
      `INSERT INTO payments (order_id, message_id, item, quantity, amount_cents, body_hash, placed_at, paid_at, redelivered)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`,
    );
    this.insertDuplicate = db.prepare<[string, string, number, number]>(
      "INSERT INTO duplicates (order_id, message_id, redelivered, seen_at) VALUES (?, ?, ?, ?)",
    );
    this.insertDelivery = db.prepare<[string | null, string, number, number, string, string | null]>(
      "INSERT INTO deliveries (order_id, message_id, delivered_at, redelivered, outcome, reason) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.publishesOf = db.prepare<[string], { publishes: number }>("SELECT publishes FROM orders WHERE order_id = ?");
    this.insertAbsorbed = db.prepare<[number, string, string, string, string]>(
      "INSERT INTO absorbed (at, cause, kind, order_id, message_id) VALUES (?, ?, ?, ?, ?)",
    );
    this.recentStmt = db.prepare<[number], PaymentRow>(
      `SELECT ${paymentColumns} FROM payments ORDER BY seq DESC LIMIT ?`,
    );
    this.sinceStmt = db.prepare<[number, number], PaymentRow>(
      `SELECT ${paymentColumns} FROM payments WHERE seq > ? ORDER BY seq ASC LIMIT ?`,
    );
    this.countsStmt = db.prepare<[], { payments: number; duplicates: number }>(
      "SELECT (SELECT COUNT(*) FROM payments) AS payments, (SELECT COUNT(*) FROM duplicates) AS duplicates",
    );
    this.recordBatchTx = db.transaction((entries: LedgerEntry[]) => entries.map((entry) => this.recordOne(entry)));
  }

  /** Records a batch of deliveries in ONE transaction; the caller acks once durable() resolves. */
  recordBatch(entries: LedgerEntry[]): LedgerOutcome[] {
    if (entries.length === 0) return [];
    // Lost durability (lib/store/durable.ts), as order intake refuses (outbox.ts): nothing is written
    // that could not be acked; every redelivery would otherwise add a delivery and an "absorbed" row.
    const lost = durabilityOf(this.db).lostError;
    if (lost) throw lost;
    // BEGIN IMMEDIATE: the batch reads (SELECT the payment) before it writes. A deferred
    // transaction that must upgrade to a writer while another process (the web's order
    // log, or a second worker) has written fails at once with "database is locked",
    // without waiting for busy_timeout; the bench caught valid orders dead-lettered so.
    const startedAt = startTimer();
    const outcomes = this.recordBatchTx.immediate(entries);
    probe.commit("ledger_batch", startedAt);
    return outcomes;
  }

  /**
   * recordBatch() without freezing the event loop while another process holds the write lock.
   * SQLite's busy handler waits inside the call, in sleeps of 1, 2, 5 … 25 ms, during which
   * this process can do nothing else: with two or three workers on one file each spent much
   * of its time asleep there, and a third worker lowered the drain's throughput. Here the lock
   * is tried without waiting; when it is taken, the event loop runs on (deliveries gather into
   * a bigger batch) and the batch tries again a millisecond later, up to `busyMs`.
   */
  async recordBatchYielding(entries: LedgerEntry[], busyMs = 5000): Promise<LedgerOutcome[]> {
    const deadline = Date.now() + busyMs;
    for (;;) {
      let outcomes: LedgerOutcome[] | null = null;
      // exec, not pragma(): no statement object to build and throw away (a fifth of the cost), and
      // a PRAGMA that SQLite applies when it is prepared is prepared anew each time.
      this.db.exec("PRAGMA busy_timeout = 0");
      try {
        outcomes = this.recordBatch(entries);
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      } finally {
        this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
      if (outcomes) return outcomes;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Resolves once every batch recorded so far is on disk: await it before acking. */
  durable(): Promise<void> {
    return durabilityOf(this.db).sync();
  }

  private recordOne({ order, messageId, redelivered, deliveredAt }: LedgerEntry): LedgerOutcome {
    const at = this.now();
    const amount = amountCents(order.item, order.quantity);
    const info = this.insertPayment.run(
      order.orderId,
      messageId,
      order.item,
      order.quantity,
      amount,
      order.bodyHash,
      order.placedAt,
      at,
      redelivered ? 1 : 0,
    );
    if (info.changes === 0) {
      // Paid before (the UNIQUE order id stopped the insert): a duplicate or a conflict.
      const existing = this.findPayment.get(order.orderId);
      if (!existing) throw new Error(`order ${order.orderId}: neither paid now nor found paid`);
      const publishes = this.publishesOf.get(order.orderId)?.publishes ?? null;
      const outcome = { ...classifyExisting(existing.body_hash, order), cause: causeOf({ redelivered, publishes }) };
      this.insertAbsorbed.run(at, outcome.cause, outcome.kind, order.orderId, messageId);
      const delivery = this.insertDelivery.run(
        order.orderId,
        messageId,
        deliveredAt ?? at,
        redelivered ? 1 : 0,
        outcome.kind,
        outcome.kind === "conflict" ? outcome.reason : null,
      );
      if (outcome.kind === "duplicate") this.insertDuplicate.run(order.orderId, messageId, redelivered ? 1 : 0, at);
      return { ...outcome, deliveryId: Number(delivery.lastInsertRowid) };
    }
    const delivery = this.insertDelivery.run(
      order.orderId,
      messageId,
      deliveredAt ?? at,
      redelivered ? 1 : 0,
      "paid",
      null,
    );
    return {
      kind: "paid",
      deliveryId: Number(delivery.lastInsertRowid),
      payment: toPayment({
        seq: Number(info.lastInsertRowid),
        order_id: order.orderId,
        item: order.item,
        quantity: order.quantity,
        amount_cents: amount,
        placed_at: order.placedAt,
        paid_at: at,
      }),
    };
  }

  /** Notes a message that went to the dead-letter queue. */
  recordDeadLetter(
    messageId: string,
    orderId: string | null,
    reason = "dead-lettered",
    redelivered = false,
    producer?: DeadLetterProducer,
  ): number {
    const at = this.now();
    this.insertSourceStmt ??= this.db.prepare<[number, string, string | null, string | null, string]>(
      "INSERT INTO dead_letter_sources (at, reason_group, app_id, user_id, message_id) VALUES (?, ?, ?, ?, ?)",
    );
    const insertSource = this.insertSourceStmt;
    this.upsertProducerStmt ??= this.db.prepare<[string, string, string, number, number]>(
      `INSERT INTO dead_letter_producers (reason_group, app_id, user_id, count, first_at, last_at) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (reason_group, app_id, user_id) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
    );
    const upsertProducer = this.upsertProducerStmt;
    return this.db
      .transaction(() => {
        const delivery = this.insertDelivery.run(orderId, messageId, at, redelivered ? 1 : 0, "dead-lettered", reason);
        if (producer) {
          insertSource.run(at, producer.group, producer.appId, producer.userId, messageId);
          upsertProducer.run(producer.group, producer.appId ?? "", producer.userId ?? "", at, at);
        }
        return Number(delivery.lastInsertRowid);
      })
      .immediate();
  }

  /**
   * Notes when deliveries were acked (the latest delivery row of each message
   * id). Observational only, so callers batch it apart from the payment commit.
   */
  recordAcks(acks: AckTime[]): void {
    if (acks.length === 0) return;
    this.insertAckByIdStmt ??= this.db.prepare<[number, number]>(
      "INSERT OR REPLACE INTO delivery_acks (delivery_id, acked_at) VALUES (?, ?)",
    );
    const byId = this.insertAckByIdStmt;
    this.insertAckStmt ??= this.db.prepare<[number, string]>(
      `INSERT OR REPLACE INTO delivery_acks (delivery_id, acked_at)
       SELECT id, ? FROM deliveries WHERE message_id = ? ORDER BY id DESC LIMIT 1`,
    );
    const stmt = this.insertAckStmt;
    this.db.transaction(() => {
      for (const { messageId, deliveryId, at } of acks) {
        if (deliveryId !== undefined) byId.run(deliveryId, at);
        else stmt.run(at, messageId);
      }
    })();
  }

  private insertAckStmt: import("better-sqlite3").Statement<[number, string]> | undefined;
  private insertAckByIdStmt: import("better-sqlite3").Statement<[number, number]> | undefined;

  recent(limit = 50): Payment[] {
    return this.recentStmt.all(limit).map(toPayment);
  }

  since(seq: number, limit = 500): Payment[] {
    return this.sinceStmt.all(seq, limit).map(toPayment);
  }

  /** One writer at a time on SQLite: seq is commit order, so the newest seq is where a reader stands. */
  head(): number {
    return (
      cachedStatement<[], { seq: number }>(this.db, "SELECT COALESCE(MAX(seq), 0) AS seq FROM payments").get()?.seq ?? 0
    );
  }

  counts(): { payments: number; duplicates: number } {
    return this.countsStmt.get() ?? { payments: 0, duplicates: 0 };
  }
}
