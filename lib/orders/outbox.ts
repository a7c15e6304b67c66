import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { BrokerLink } from "../amqp/link";
import type { ConfirmPublisher } from "../amqp/publisher";
import { ORDERS_EXCHANGE } from "../amqp/topology";
import { WarrenError } from "../errors";
import { probe, startTimer } from "../observability/probes";
import type { Db } from "../store/db";
import { durabilityOf } from "../store/durable";
import { orderPublishOptions } from "./message";
import { newOrderId } from "./order-id";
import type { OrderSource } from "./order-log";
import type { PlacedOrder } from "./place-order";
import type { OrderInput } from "./schema";

export interface OutboxOptions {
  db: Db;
  publisher: ConfirmPublisher;
  link: BrokerLink;
  queue: string;
  log?: (message: string) => void;
  /** A claimed row belongs to this process for this long; after that any relay may take it. */
  leaseMs?: number;
  sweepMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long one publish attempt waits for a channel while the broker is away. */
  channelWaitMs?: number;
  now?: () => number;
}

export interface Accepted {
  order: PlacedOrder;
  /** "placed": the broker confirmed within the wait; "accepted": durable in the outbox, still waiting for the broker. */
  status: "placed" | "accepted";
}

interface Row {
  orderId: string;
  body: string;
}

interface PendingWrite {
  order: PlacedOrder;
  source: OrderSource;
  /** Called once the row is committed, with the promise of it being on disk (wrapped: a promise would be adopted). */
  resolve: (written: { durable: Promise<void> }) => void;
  reject: (error: Error) => void;
}

type Mark = { kind: "confirmed"; orderId: string; at: number } | { kind: "failed"; orderId: string; error: string };

export interface OutboxStats {
  accepted: number;
  published: number;
  failedAttempts: number;
  recovered: number;
}

/**
 * The transactional outbox and its relay (one per process, see lib/runtime).
 *
 * `accept()` makes an order durable in SQLite first — concurrent requests
 * share one transaction (one fsync) per event-loop turn — and only then
 * publishes it. The relay retries every unconfirmed row with backoff until
 * the broker confirms, and deletes the row after the confirm. A row is leased
 * to one process while it is being published, so two relays never publish it
 * at the same moment; a crash can still re-publish a row whose confirm was
 * not yet recorded, which the consumer's UNIQUE order id absorbs
 * (at-least-once publish + idempotent consumer = exactly-once effect).
 */
export class OrderOutbox {
  readonly owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  readonly stats: OutboxStats = { accepted: 0, published: 0, failedAttempts: 0, recovered: 0 };
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private writes: PendingWrite[] = [];
  private marks: Mark[] = [];
  private writeScheduled = false;
  private markScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepAgain = false;
  private stopping = false;
  private started = false;
  private readonly statements;
  private readonly transactions;
  private readonly onUp = () => {
    // The publisher opens its confirm channel on the same "up": sweep as soon as it is ready.
    void this.options.publisher.whenReady(5000).then((ready) => {
      if (ready && !this.stopping) this.sweep(true);
    });
  };

  constructor(private readonly options: OutboxOptions) {
    const { db } = options;
    this.statements = {
      insertOrder: db.prepare<[string, string, number, string, number]>(
        `INSERT OR IGNORE INTO orders (order_id, item, quantity, source, placed_at, confirmed_at, status, error)
         VALUES (?, ?, ?, ?, ?, NULL, 'accepted', NULL)`,
      ),
      insertOutbox: db.prepare<[string, string, number, number, string, number]>(
        `INSERT INTO outbox (order_id, body, created_at, next_attempt_at, lease_owner, lease_until)
         VALUES (?, ?, ?, ?, ?, ?)`,
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
      due: db.prepare<[number, number, string, number], Row & { lease_owner: string | null }>(
        `SELECT order_id AS orderId, body, lease_owner FROM outbox
         WHERE next_attempt_at <= ? AND (lease_until < ? OR lease_owner = ?)
         ORDER BY created_at LIMIT ?`,
      ),
      lease: db.prepare<[string, number, string]>(
        "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE order_id = ?",
      ),
      owners: db.prepare<[number], { lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM outbox WHERE lease_owner IS NOT NULL AND lease_until >= ?",
      ),
      release: db.prepare<[string]>("UPDATE outbox SET lease_until = 0 WHERE lease_owner = ?"),
      count: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox"),
      backlog: db.prepare<[], { n: number; oldest: number | null }>(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox",
      ),
    };
    // Built once: a better-sqlite3 transaction wrapper is not free, and these run on every turn.
    this.transactions = {
      write: db.transaction((batch: PendingWrite[], rows: Row[], marks: Mark[], at: number, leaseUntil: number) => {
        batch.forEach(({ order, source }, index) => {
          this.statements.insertOrder.run(order.orderId, order.item, order.quantity, source, order.placedAt);
          this.statements.insertOutbox.run(order.orderId, rows[index]?.body ?? "", at, at, this.owner, leaseUntil);
        });
        this.applyMarks(marks);
      }),
      marks: db.transaction((batch: Mark[]) => this.applyMarks(batch)),
      claim: db.transaction((dueBy: number, at: number, limit: number, leaseUntil: number): Row[] => {
        const rows = this.statements.due
          .all(dueBy, at, this.owner, limit)
          .filter((row) => !this.inFlight.has(row.orderId));
        for (const row of rows) {
          if (row.lease_owner !== this.owner) this.stats.recovered++;
          this.statements.lease.run(this.owner, leaseUntil, row.orderId);
        }
        return rows.map(({ orderId, body }) => ({ orderId, body }));
      }),
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Picks up rows left by an earlier run, then sweeps due rows every `sweepMs` and whenever the broker comes back. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    liveOwners.add(this.owner);
    this.releaseDeadOwners();
    const left = this.pending();
    if (left > 0) this.options.log?.(`[outbox] ${left} order(s) not yet confirmed by the broker: publishing them`);
    this.options.link.on("up", this.onUp);
    let ticks = 0;
    this.timer = setInterval(() => {
      // Another process of this host that died (kill -9) frees its rows now, not when its leases run out.
      if (++ticks % 5 === 0) {
        try {
          this.releaseDeadOwners();
        } catch (error) {
          this.options.log?.(`[outbox] could not check leases: ${(error as Error).message}`);
        }
      }
      this.sweep(false);
    }, this.options.sweepMs ?? 1000);
    this.timer.unref();
    this.sweep(true);
    return this;
  }

  /** Rows in the outbox (accepted, not yet confirmed by the broker). */
  pending(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  /** Rows in the outbox and when the oldest was accepted (for the metrics). */
  backlog(): { pending: number; oldestCreatedAt: number | null } {
    const row = this.statements.backlog.get();
    return { pending: row?.n ?? 0, oldestCreatedAt: row?.oldest ?? null };
  }

  /**
   * Accepts an order once it is durable in the outbox or confirmed by the
   * broker, whichever comes first; waits up to `waitMs` for the confirm so a
   * healthy system answers "placed".
   */
  async accept(input: OrderInput, source: OrderSource, waitMs = 1000): Promise<Accepted> {
    if (this.stopping) {
      throw new WarrenError("broker_unavailable", "Warren is shutting down; the order was not accepted. Try again.");
    }
    const order: PlacedOrder = {
      orderId: newOrderId(),
      item: input.item,
      quantity: input.quantity,
      placedAt: this.now(),
    };
    const { durable } = await new Promise<{ durable: Promise<void> }>((resolve, reject) => {
      this.writes.push({ order, source, resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        setImmediate(() => this.flushWrites());
      }
    });
    // The publish is already on its way while the WAL is synced. Either one is enough to
    // answer: a confirmed order is safe in the broker, an unconfirmed one must be on our disk.
    const onDisk = durable.then(
      () => true,
      () => false,
    );
    const confirm = this.inFlight.get(order.orderId);
    let published = false;
    if (confirm && waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      published = await Promise.race([
        confirm,
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), waitMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (!published && !(await onDisk)) {
      // Not on our disk: only the broker's confirm can make it an order now.
      published = confirm ? await confirm : false;
      if (!published) {
        throw new WarrenError("publish_failed", "The order could not be stored; it was not accepted. Try again.");
      }
    }
    this.stats.accepted++;
    return { order, status: published ? "placed" : "accepted" };
  }

  /**
   * One transaction (and one WAL sync) for every order accepted in this turn of the event
   * loop; the publish outcomes waiting to be recorded ride along in the same commit.
   */
  private flushWrites() {
    this.writeScheduled = false;
    const batch = this.writes;
    this.writes = [];
    if (batch.length === 0) return;
    const at = this.now();
    const leaseUntil = at + (this.options.leaseMs ?? 30_000);
    const rows: Row[] = batch.map(({ order }) => ({ orderId: order.orderId, body: JSON.stringify(order) }));
    const marks = this.marks;
    this.marks = [];
    try {
      const startedAt = startTimer();
      this.transactions.write.immediate(batch, rows, marks, at, leaseUntil);
      probe.commit("outbox_write", startedAt);
    } catch (error) {
      // The outcomes are recorded on their own (flushMarks) even if the orders could not be.
      this.marks.unshift(...marks);
      if (marks.length > 0) this.scheduleMarks();
      this.options.log?.(`[outbox] could not store ${batch.length} order(s): ${(error as Error).message}`);
      const failure = new WarrenError(
        "publish_failed",
        "The order could not be stored; it was not accepted. Try again.",
      );
      for (const write of batch) write.reject(failure);
      return;
    }
    // Leased to us at insert: publish at once, before any sweep could see the rows, and while
    // the WAL is synced on the thread pool.
    const durable = durabilityOf(this.options.db).sync();
    durable.catch((error: Error) =>
      this.options.log?.(`[outbox] could not sync ${batch.length} order(s): ${error.message}`),
    );
    batch.forEach(({ order, resolve }, index) => {
      void this.publish(rows[index] as Row, order);
      resolve({ durable });
    });
  }

  /** `order` is the row's body, parsed (the caller may still hold it). */
  private publish(row: Row, order = JSON.parse(row.body) as PlacedOrder): Promise<boolean> {
    const existing = this.inFlight.get(row.orderId);
    if (existing) return existing;
    const attempt = this.options.publisher
      .publish(ORDERS_EXCHANGE, this.options.queue, Buffer.from(row.body), orderPublishOptions(order), {
        timeoutMs: this.options.channelWaitMs ?? 1000,
        confirmTimeoutMs: 10_000,
      })
      .then(
        () => {
          this.stats.published++;
          const at = this.now();
          probe.orderConfirmed(order.placedAt, at);
          this.mark({ kind: "confirmed", orderId: row.orderId, at });
          return true;
        },
        (error: Error) => {
          this.stats.failedAttempts++;
          this.mark({ kind: "failed", orderId: row.orderId, error: error.message });
          return false;
        },
      )
      .finally(() => this.inFlight.delete(row.orderId));
    this.inFlight.set(row.orderId, attempt);
    return attempt;
  }

  private mark(mark: Mark) {
    this.marks.push(mark);
    this.scheduleMarks();
  }

  /**
   * Outcomes wait up to MARK_DELAY_MS: under load the next order batch's transaction takes
   * them along (no commit of their own); when no orders come, they are recorded alone. A
   * lost outcome is only a re-publish that the consumer absorbs, so the delay risks nothing.
   */
  private scheduleMarks() {
    if (!this.markScheduled) {
      this.markScheduled = true;
      setTimeout(() => this.flushMarks(), MARK_DELAY_MS).unref();
    }
  }

  private backoffMs(attempts: number): number {
    const base = this.options.baseBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 5000;
    const delay = Math.min(max, base * 2 ** Math.min(attempts, 16));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  /** Confirms and failures of this turn, in one transaction. */
  private flushMarks() {
    this.markScheduled = false;
    const batch = this.marks;
    this.marks = [];
    if (batch.length === 0) return;
    try {
      this.transactions.marks.immediate(batch);
    } catch (error) {
      // A confirmed row that stays in the outbox is published again later: a duplicate the consumer absorbs.
      this.options.log?.(`[outbox] could not record ${batch.length} publish outcome(s): ${(error as Error).message}`);
    }
  }

  /** Inside a transaction: a confirmed order leaves the outbox; a failed attempt gets its backoff. */
  private applyMarks(batch: Mark[]) {
    const s = this.statements;
    for (const mark of batch) {
      if (mark.kind === "confirmed") {
        s.deleteOutbox.run(mark.orderId);
        s.confirmOrder.run(mark.at, mark.orderId);
      } else {
        const attempts = (s.attemptsOf.get(mark.orderId)?.attempts ?? 0) + 1;
        s.failOutbox.run(mark.error, this.now() + this.backoffMs(attempts), mark.orderId);
        s.noteOrderError.run(mark.error, mark.orderId);
      }
    }
  }

  /** Claims due rows (lease) in one transaction and publishes them; repeats while a full batch came back. */
  sweep(force: boolean): void {
    if (this.stopping) return;
    if (this.sweeping) {
      this.sweepAgain ||= force;
      return;
    }
    const run = async () => {
      for (;;) {
        if (this.stopping || !this.options.publisher.ready) return;
        const claimed = this.claim(force, 500);
        if (claimed.length === 0 && !this.sweepAgain) return;
        this.sweepAgain = false;
        await Promise.all(claimed.map((row) => this.publish(row)));
        if (claimed.length < 500) return;
      }
    };
    // Cleared in a (always asynchronous) finally: a sweep that returns at once must not stay "running".
    this.sweeping = run()
      .catch((error: Error) => this.options.log?.(`[outbox] sweep failed: ${error.message}`))
      .finally(() => {
        this.sweeping = null;
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.sweep(true);
        }
      });
  }

  private claim(force: boolean, limit: number): Row[] {
    const at = this.now();
    const leaseUntil = at + (this.options.leaseMs ?? 30_000);
    return this.transactions.claim.immediate(force ? Number.MAX_SAFE_INTEGER : at, at, limit, leaseUntil);
  }

  /** Leases held by a process of this host that no longer runs (crash, kill -9, restart) are void. */
  private releaseDeadOwners() {
    const host = hostname();
    for (const { lease_owner: owner } of this.statements.owners.all(this.now())) {
      const [ownerHost, pid] = owner.split("/");
      if (ownerHost !== host || owner === this.owner) continue;
      if (!ownerAlive(owner, Number(pid))) this.statements.release.run(owner);
    }
  }

  /** Stops taking orders, lets in-flight publishes settle, and records their outcome. Unconfirmed rows stay for the next start. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.options.link.off("up", this.onUp);
    this.flushWrites();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values(), this.sweeping]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.flushMarks();
    this.statements.release.run(this.owner);
    liveOwners.delete(this.owner);
  }
}

const MARK_DELAY_MS = 25;

/** Owners alive in this process (a restarted process can get its predecessor's pid, e.g. in a container). */
const ownerStore = globalThis as typeof globalThis & { __warrenOutboxOwners?: Set<string> };
ownerStore.__warrenOutboxOwners ??= new Set<string>();
const liveOwners: Set<string> = ownerStore.__warrenOutboxOwners;

function ownerAlive(owner: string, pid: number): boolean {
  if (pid === process.pid) return liveOwners.has(owner);
  return processAlive(pid);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
