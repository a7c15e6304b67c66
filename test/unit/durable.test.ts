import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import fs, {
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PaymentConsumer } from "../../lib/payments/consumer";
import { hashOrder, type LedgerOutcome } from "../../lib/payments/decide";
import { Ledger, type LedgerEntry } from "../../lib/payments/ledger";
import { type Db, openDb } from "../../lib/store/db";
import { durabilityOf, type WalDurability } from "../../lib/store/durable";
import { isStoreUnavailable } from "../../lib/store/unavailable";

const dir = mkdtempSync(join(tmpdir(), "warren-durable-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Fdatasync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;
const eio = () => Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });

/** Runs `run` with fs.fdatasync replaced (`fake` gets the real one to pass calls on), then puts it back. */
async function withFdatasync(fake: (real: Fdatasync) => Fdatasync, run: () => Promise<void>): Promise<void> {
  const real = fs.fdatasync;
  (fs as { fdatasync: unknown }).fdatasync = fake(real as Fdatasync);
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    (fs as { fdatasync: unknown }).fdatasync = real;
    syncBuiltinESMExports();
  }
}

/**
 * Runs `run` on the SQLite file at `path` (a table t (v TEXT) created) and its WalDurability,
 * then stops the durability and closes the file, whatever `run` did.
 */
async function withWal(path: string, run: (db: Db, durable: WalDurability) => Promise<void>): Promise<void> {
  const db = openDb(path);
  const durable = durabilityOf(db);
  try {
    db.exec("CREATE TABLE t (v TEXT)");
    await run(db, durable);
  } finally {
    await durable.stop();
    db.close();
  }
}

describe("WalDurability (a real SQLite file)", () => {
  it("commits without fsync on the calling thread, and sync() covers every commit made before it", async () => {
    const db = openDb(join(dir, "sync.db"));
    assert.equal(db.pragma("synchronous", { simple: true }), 1, "NORMAL: the commit itself does not fsync");
    const durable = durabilityOf(db);
    assert.equal(durabilityOf(db), durable, "one helper per connection");
    db.exec("CREATE TABLE t (v TEXT)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    // 50 commits asking for durability at once share fdatasyncs (group commit): the first call
    // starts one, every later call waits for the one after it (which may have started before
    // their commit otherwise).
    const waits: Array<Promise<void>> = [];
    for (let i = 0; i < 50; i++) {
      insert.run(`row ${i}`);
      waits.push(durable.sync());
    }
    await Promise.all(waits);
    assert.ok(durable.syncs >= 1 && durable.syncs <= 2, `50 commits, ${durable.syncs} fdatasync(s)`);
    // A caller arriving while a sync runs gets the next one, not the running one.
    insert.run("late");
    const first = durable.sync();
    insert.run("later");
    const second = durable.sync();
    const before = durable.syncs;
    await first;
    await second;
    assert.equal(durable.syncs, before + 2);
    db.close();
  });

  it("has nothing to sync for an in-memory database", async () => {
    const db = openDb(":memory:");
    const durable = durabilityOf(db);
    await durable.sync();
    assert.equal(durable.syncs, 0);
    db.close();
  });

  it("checkpoints from a worker thread, and the WAL starts over instead of growing", async () => {
    const db = openDb(join(dir, "checkpoint.db"));
    const durable = durabilityOf(db);
    durable.startCheckpoints(50);
    // The worker turns the connection's own (blocking) automatic checkpoints off once it runs.
    for (let i = 0; i < 100 && db.pragma("wal_autocheckpoint", { simple: true }) !== 0; i++) await sleep(20);
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
    db.exec("CREATE TABLE t (v TEXT)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const write = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run("x".repeat(1000));
    });
    try {
      // ~40 MB of WAL frames in 2,000 small transactions over 2 s or more, the way the web process writes:
      // a bounded amount at a bounded pace, so a fast idle machine does not outrun any checkpointer.
      let rows = 0;
      let largest = 0;
      for (let turn = 0; turn < 2000; turn++) {
        write(20);
        rows += 20;
        if (turn % 20 === 0) largest = Math.max(largest, statSync(`${db.name}-wal`).size);
        await sleep(1);
      }
      // Restarted after every pass of the worker, the WAL is rewritten in place (a cheaper
      // fdatasync than one that grows the file) and stays far below what it reached before.
      // Restarted once a second, it grew past that limit again and again here.
      assert.ok(largest <= 12 * 1024 * 1024, `the WAL reached ${(largest / 2 ** 20).toFixed(1)} MB`);
      await sleep(200);
      write(1);
      rows += 1;
      const wal = statSync(`${db.name}-wal`).size;
      assert.ok(wal <= 16 * 1024 * 1024 + 64 * 1024, `WAL is ${(wal / 2 ** 20).toFixed(1)} MB after ${rows} rows`);
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n, rows);
    } finally {
      // Always: a checkpoint worker left running keeps the test process alive.
      await durable.stop();
    }
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000, "SQLite checkpoints on commit again");
    db.close();
  });
});

describe("a WAL sync that fails", () => {
  it("fails every later sync too, until the process restarts (a failed writeback is reported once)", async () => {
    await withWal(join(dir, "lost.db"), async (db, durable) => {
      db.prepare("INSERT INTO t (v) VALUES (?)").run("x");
      await durable.sync();
      // The kernel's answer to a writeback that failed, once; the file's next fdatasync succeeds.
      let failNext = true;
      const fake =
        (real: Fdatasync): Fdatasync =>
        (fd, callback) => {
          if (!failNext) return real(fd, callback);
          failNext = false;
          callback(eio());
        };
      await withFdatasync(fake, async () => {
        db.prepare("INSERT INTO t (v) VALUES (?)").run("y");
        const first = await durable.sync().then(
          () => null,
          (error: Error) => error,
        );
        assert.equal(first?.name, "DurabilityLostError");
        assert.equal((first as { code?: string }).code, "EIO");
        assert.equal(isStoreUnavailable(first), true, "the consumer waits (and says why) instead of dead-lettering");
        // The next fdatasync would succeed: it must not be believed.
        const again = await durable.sync().then(
          () => null,
          (error: Error) => error,
        );
        assert.equal(again?.name, "DurabilityLostError", "still lost: nothing synced after it is trusted");
        assert.equal(failNext, false);
        assert.equal(durable.lostError?.code, "EIO");
      });
    });
  });
});

describe("a caller queued behind the sync that fails", () => {
  it("is not answered by the next fdatasync, which succeeds on the same file", async () => {
    await withWal(join(dir, "queued.db"), async (db, durable) => {
      await durable.sync();
      let calls = 0;
      // The first fdatasync fails a moment later; the file's next one would succeed.
      const fake =
        (real: Fdatasync): Fdatasync =>
        (fd, callback) => {
          if (calls++ > 0) return real(fd, callback);
          setTimeout(() => callback(eio()), 20);
        };
      await withFdatasync(fake, async () => {
        db.prepare("INSERT INTO t (v) VALUES (?)").run("a");
        const running = durable.sync();
        db.prepare("INSERT INTO t (v) VALUES (?)").run("b");
        const queued = durable.sync(); // waits for the next sync: the running one may predate its commit
        const outcomes = await Promise.allSettled([running, queued]);
        assert.deepEqual(
          outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).name : "synced")),
          ["DurabilityLostError", "DurabilityLostError"],
        );
        assert.equal(calls, 1, "no second fdatasync was believed");
      });
    });
  });
});

describe("a database file deleted under its connection", () => {
  it("fails every sync from then on: commits to a file no one else will open are not on disk for anyone", async () => {
    const sub = mkdtempSync(join(dir, "gone-"));
    const file = join(sub, "gone.db");
    await withWal(file, async (db, durable) => {
      db.prepare("INSERT INTO t (v) VALUES (?)").run("x");
      await durable.sync();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      // The connection writes on, to the deleted inodes, without an error of its own.
      db.prepare("INSERT INTO t (v) VALUES (?)").run("y");
      await sleep(1100); // the file is checked at most once a second
      const error = await durable.sync().then(
        () => null,
        (e: Error) => e,
      );
      assert.equal(error?.name, "DurabilityLostError");
      assert.match(error?.message ?? "", /was deleted or replaced under this process: restart this process/);
      assert.equal(isStoreUnavailable(error), true);
      // A new file at the path (what a process started now creates) does not make it good again.
      openDb(file).close();
      await sleep(1100);
      assert.equal(
        await durable.sync().then(
          () => "synced",
          (e: Error) => e.name,
        ),
        "DurabilityLostError",
      );
    });
  });
});

describe("the ledger after a WAL sync failed", () => {
  it("refuses a batch and writes none of it: a payment that can never be acked is not recorded", async () => {
    const ledger = new Ledger(openDb(join(dir, "ledger-lost.db")));
    const durable = durabilityOf(ledger.db);
    const entry = (orderId: string) => ({
      order: { orderId, item: "book", quantity: 1, placedAt: null, bodyHash: hashOrder(orderId, "book", 1) },
      messageId: orderId,
      redelivered: false,
    });
    ledger.recordBatch([entry("before")]);
    await durable.sync();
    try {
      await withFdatasync(
        () => (_fd, callback) => callback(eio()),
        () => durable.sync().catch(() => {}),
      );
      assert.equal(durable.lostError?.code, "EIO", "durability is lost");
      assert.throws(() => ledger.recordBatch([entry("after")]), { name: "DurabilityLostError" });
      const rows = (table: string) =>
        ledger.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE order_id = ?`).get("after") as { n: number };
      assert.equal(rows("payments").n, 0, "no payment row");
      assert.equal(rows("deliveries").n, 0, "no delivery row");
      assert.deepEqual(ledger.counts(), { payments: 1, duplicates: 0 });
    } finally {
      await durable.stop();
      ledger.db.close();
    }
  });
});

describe("a database file opened through a symlink", () => {
  it("syncs the WAL SQLite keeps beside the target, not a WAL at the link's path that never exists", async () => {
    const sub = mkdtempSync(join(dir, "linked-"));
    mkdirSync(join(sub, "volume"));
    const target = join(sub, "volume", "real.db");
    const link = join(sub, "link.db");
    openDb(target).close();
    symlinkSync(target, link);
    await withWal(link, async (db, durable) => {
      db.prepare("INSERT INTO t (v) VALUES (?)").run("x");
      assert.ok(existsSync(`${target}-wal`), "SQLite writes its WAL beside the target");
      assert.ok(!existsSync(`${link}-wal`), "and none beside the link");
      const synced: number[] = [];
      const spy =
        (real: Fdatasync): Fdatasync =>
        (fd, callback) => {
          synced.push(fstatSync(fd).ino);
          real(fd, callback);
        };
      await withFdatasync(spy, () => durable.sync());
      assert.deepEqual(synced, [statSync(`${target}-wal`).ino], "one fdatasync, of the target's WAL");
    });
  });
});

describe("a database file whose check cannot be made", () => {
  it("is not taken for deleted: a stat error other than ENOENT (here ENOTDIR) leaves durability as it was", async () => {
    // A real failing stat (as root, permissions deny nothing): the path the connection opened runs
    // through a directory symlink, which is then replaced by a plain file. The database and its WAL
    // (found through the real path) are untouched; only the check of the opened path fails.
    const sub = mkdtempSync(join(dir, "unknown-"));
    mkdirSync(join(sub, "volume"));
    const via = join(sub, "via");
    symlinkSync(join(sub, "volume"), via);
    await withWal(join(via, "unknown.db"), async (db, durable) => {
      unlinkSync(via);
      writeFileSync(via, "");
      assert.throws(() => statSync(db.name), { code: "ENOTDIR" });
      db.prepare("INSERT INTO t (v) VALUES (?)").run("x");
      // The first sync checks the file (then at most once a second).
      await durable.sync();
      assert.equal(durable.lostError, null);
      assert.equal(durable.syncs, 1);
    });
  });
});

describe("PaymentConsumer and a dead-letter copy that does not come back", () => {
  it("keeps paying while copies wait for their confirm (they do not hold the batch slots)", async () => {
    const broker = fakeBroker();
    const consumer = await consumerWithoutConfirms(broker, { recordBatch: payAll, durable: async () => {} }, 10);
    broker.deliverRaw(1, "not json");
    await sleep(20);
    broker.deliverRaw(2, "not json either");
    await sleep(20);
    broker.deliverRaw(3, "{");
    await sleep(20);
    broker.deliver(4, "o-4");
    for (let i = 0; i < 100 && !broker.acked.includes(4); i++) await sleep(5);
    assert.deepEqual(broker.acked, [4], "the valid order is paid and acked; the three poison copies still wait");
    await consumer.stop(50);
  });

  it("counts the waiting copies in the window: a delivery that fills it is paid beside the batch in flight", async () => {
    // Prefetch 4: two poison copies wait for a confirm that never comes, o-3 is being paid (its
    // sync held), and o-4 fills the window. The broker sends nothing more until an ack, so o-4
    // must not wait for o-3's batch (lib/payments/batch-plan.ts: the window is used up).
    const broker = fakeBroker();
    const recorded: string[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let syncs = 0;
    const consumer = await consumerWithoutConfirms(
      broker,
      {
        recordBatch: (entries: LedgerEntry[]) => {
          if (entries.length > 0) recorded.push(entries.map((e) => e.order.orderId));
          return payAll(entries);
        },
        durable: async () => {
          if (syncs++ === 0) await held;
        },
      },
      4,
    );
    try {
      broker.deliverRaw(1, "not json");
      await sleep(20);
      broker.deliverRaw(2, "{");
      await sleep(20);
      broker.deliver(3, "o-3");
      for (let i = 0; i < 100 && recorded.length === 0; i++) await sleep(5);
      assert.deepEqual(recorded, [["o-3"]]);
      broker.deliver(4, "o-4");
      for (let i = 0; i < 100 && recorded.length === 1; i++) await sleep(5);
      assert.deepEqual(recorded, [["o-3"], ["o-4"]], "o-4 is paid while o-3's batch is still held");
      for (let i = 0; i < 100 && broker.acked.length === 0; i++) await sleep(5);
      assert.deepEqual(broker.acked, [4], "o-4 is acked on its own; o-3 is not, before its batch is durable");
      release();
      for (let i = 0; i < 100 && broker.acked.length === 1; i++) await sleep(5);
      assert.deepEqual(broker.acked, [4, 3]);
    } finally {
      release();
      await consumer.stop(50);
    }
  });
});

/**
 * A consumer on the fake broker, subscribed, whose dead-letter copies are never confirmed (the
 * publish side is blocked by an alarm), with the ledger's recordBatch and durable given.
 */
async function consumerWithoutConfirms(
  broker: ReturnType<typeof fakeBroker>,
  ledger: { recordBatch: (entries: LedgerEntry[]) => LedgerOutcome[]; durable: () => Promise<void> },
  prefetch: number,
): Promise<PaymentConsumer> {
  const consumer = new PaymentConsumer({
    consumeLink: broker.link as never,
    publisher: { publishEvent: () => {}, publish: () => new Promise(() => {}) } as never,
    ledger: { ...ledger, recordAcks: () => {}, recordDeadLetter: () => undefined } as unknown as Ledger,
    queue: "q",
    prefetch,
  });
  consumer.start();
  for (let i = 0; i < 100 && !broker.subscribed(); i++) await sleep(5);
  return consumer;
}

/** A ledger's answer that pays every entry. */
function payAll(entries: LedgerEntry[]): LedgerOutcome[] {
  return entries.map((e) => ({
    kind: "paid",
    payment: {
      seq: 1,
      orderId: e.order.orderId,
      item: e.order.item,
      quantity: e.order.quantity,
      amountCents: 1250,
      placedAt: null,
      paidAt: 1,
      latencyMs: null,
    },
  }));
}

/** Just enough of amqplib's channel and model for the consumer. */
function fakeBroker() {
  const acked: number[] = [];
  const unacked = new Set<number>();
  let onMessage: ((message: unknown) => void) | null = null;
  const channel = Object.assign(new EventEmitter(), {
    prefetch: async () => {},
    assertExchange: async () => {},
    assertQueue: async () => {},
    bindQueue: async () => {},
    consume: async (_queue: string, callback: (message: unknown) => void) => {
      onMessage = callback;
      return { consumerTag: "ctag" };
    },
    // A `multiple` ack settles every delivered, unacked tag up to this one (the consumer acks a run at once).
    ack: (message: { fields: { deliveryTag: number } }, allUpTo = false) => {
      const tag = message.fields.deliveryTag;
      const settled = allUpTo ? [...unacked].filter((t) => t <= tag) : [tag];
      for (const t of settled) unacked.delete(t);
      acked.push(...settled.sort((a, b) => a - b));
    },
    nack: () => {},
    cancel: async () => {},
    close: async () => {},
  });
  const model = { createChannel: async () => channel };
  const link = Object.assign(new EventEmitter(), { current: () => model });
  const deliver = (tag: number, orderId: string) => {
    unacked.add(tag);
    onMessage?.({
      content: Buffer.from(JSON.stringify({ orderId, item: "book", quantity: 1 })),
      fields: { deliveryTag: tag, redelivered: false },
      properties: { messageId: orderId, headers: {} },
    });
  };
  const deliverRaw = (tag: number, content: string) => {
    unacked.add(tag);
    onMessage?.({
      content: Buffer.from(content),
      fields: { deliveryTag: tag, redelivered: false },
      properties: { messageId: `raw-${tag}`, headers: {} },
    });
  };
  return { link, acked, deliver, deliverRaw, subscribed: () => onMessage !== null };
}

/**
 * A disk the test releases: `durable` resolves only after `onDisk()`, and `asked` resolves once
 * the consumer has asked for it (it has recorded the batch: the moment to look).
 */
function heldDisk() {
  let onDisk!: () => void;
  const disk = new Promise<void>((resolve) => {
    onDisk = resolve;
  });
  let durableAsked: () => void = () => {};
  const asked = new Promise<void>((resolve) => {
    durableAsked = resolve;
  });
  const durable = () => {
    durableAsked();
    return disk;
  };
  return { onDisk, asked, durable };
}

describe("PaymentConsumer and durability", () => {
  it("acks and announces a payment only after the ledger's commit is on disk", async () => {
    const broker = fakeBroker();
    const { onDisk, asked, durable } = heldDisk();
    const ledger = {
      recordBatch: payAll,
      durable,
      recordAcks: () => {},
    } as unknown as Ledger;
    const events: string[] = [];
    const consumer = new PaymentConsumer({
      consumeLink: broker.link as never,
      publisher: { publishEvent: () => events.push("event published") } as never,
      ledger,
      queue: "q",
      prefetch: 10,
    });
    consumer.on("payment", () => events.push("payment emitted"));
    consumer.start();
    for (let i = 0; i < 100 && !broker.subscribed(); i++) await sleep(5);
    broker.deliver(1, "o-1");
    broker.deliver(2, "o-2");
    await asked;
    assert.deepEqual(broker.acked, [], "recorded, not yet on disk: nothing acked");
    assert.deepEqual(events, []);
    onDisk();
    // The listeners run a turn after the ack is written.
    for (let i = 0; i < 200 && (broker.acked.length < 2 || events.length < 3); i++) await sleep(5);
    assert.deepEqual(broker.acked, [1, 2]);
    // One event message for the committed batch, then each payment to this process's dashboards.
    assert.deepEqual(events, ["event published", "payment emitted", "payment emitted"]);
    await consumer.stop(100);
  });

  it("stop() during a batch's sync writes that batch's ack times before it resolves", async () => {
    const broker = fakeBroker();
    const { onDisk, asked, durable } = heldDisk();
    const written: string[] = [];
    const ledger = {
      recordBatch: payAll,
      durable,
      recordAcks: (acks: Array<{ messageId: string }>) => written.push(...acks.map((a) => a.messageId)),
    } as unknown as Ledger;
    const consumer = new PaymentConsumer({
      consumeLink: broker.link as never,
      publisher: { publishEvent: () => true } as never,
      ledger,
      queue: "q",
      prefetch: 10,
    });
    const heard: string[] = [];
    consumer.on("acked", (orders: Array<{ orderId: string }>) => heard.push(...orders.map((o) => o.orderId)));
    consumer.start();
    for (let i = 0; i < 100 && !broker.subscribed(); i++) await sleep(5);
    broker.deliver(1, "o-1");
    broker.deliver(2, "o-2");
    await asked;
    // Stopping now waits for the batch; its acks go once the commit is on disk.
    const stopped = consumer.stop(1000);
    onDisk();
    await stopped;
    assert.deepEqual(broker.acked, [1, 2]);
    // The batch's listeners ran (a turn after its acks) before stop() finished.
    assert.deepEqual(heard, ["o-1", "o-2"]);
    // The trace's ack times of the last batch are written by stop(), not by a timer after it.
    assert.deepEqual(written.sort(), ["o-1", "o-2"]);
  });
});
