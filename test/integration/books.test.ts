import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BooksReport } from "../../lib/books/books";
import { BooksChecker } from "../../lib/books/checker";
import { QueueSampler } from "../../lib/events/sampler";
import { sqliteHealth } from "../../lib/store/sqlite/health";
import { startPipeline, waitFor } from "./harness";

/**
 * The books on the real broker and a real SQLite file: orders go through the
 * outbox, RabbitMQ and Warren's consumer; the queue's depth comes from the
 * real sampler. Each wait is on the checker's own report.
 */
describe("the books balance (real broker, real SQLite)", () => {
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let sampler: QueueSampler;
  let checker: BooksChecker;
  before(async () => {
    pipeline = await startPipeline("books");
    sampler = new QueueSampler({ link: pipeline.consumeLink, queues: [pipeline.queue], intervalMs: 200 }).start();
    checker = new BooksChecker({
      reads: sqliteHealth(pipeline.ledger.db),
      sampler,
      orderQueue: pipeline.queue,
      intervalMs: 60_000,
      settleMs: 500,
      verifyEveryMs: 0,
    });
  });
  after(async () => {
    await checker.stop();
    sampler.stop();
    await pipeline.close();
  });

  it("stays balanced once orders are paid, and names a deleted payment's order as lost", async () => {
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await pipeline.placeOrder({ item: "book", quantity: 1 }));
    let report: BooksReport | null = null;
    await waitFor(
      async () => {
        report = await checker.check();
        return report.paid === 20 && report.balanced === true;
      },
      15_000,
      "the books to balance with 20 orders paid",
    );
    const balanced = report as unknown as BooksReport;
    assert.deepEqual(
      [balanced.accepted, balanced.outbox, balanced.waiting, balanced.difference, balanced.lost, balanced.paidTwice],
      [20, 0, 0, 0, [], []],
    );

    const victim = orders[7]?.orderId ?? "";
    pipeline.ledger.db.prepare("DELETE FROM payments WHERE order_id = ?").run(victim);
    await waitFor(
      async () => {
        report = await checker.check();
        return report.balanced === false;
      },
      10_000,
      "the books to notice the missing payment",
    );
    const broken = report as unknown as BooksReport;
    assert.equal(broken.paid, 19);
    assert.equal(broken.difference, 1);
    assert.deepEqual(broken.lost, [
      { orderId: victim, confirmedAt: broken.lost[0]?.confirmedAt, trace: `/trace?order=${victim}` },
    ]);
    assert.ok(typeof broken.lost[0]?.confirmedAt === "number");
  });
});
