import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import type { BooksReport } from "../../lib/books/books";
import { BooksChecker } from "../../lib/books/checker";
import { QueueSampler } from "../../lib/events/sampler";
import { openDb } from "../../lib/store/db";
import { sqliteHealth } from "../../lib/store/sqlite/health";
import { orderDoor } from "../helpers/order-door";
import { AMQP_URL, waitFor } from "./harness";

/**
 * A TCP hop in front of the real broker on a fixed port: closing it is "the
 * broker is down" for the publishing link only, reopening it "back".
 */
class Hop {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: Number(new URL(AMQP_URL).port || 5672) });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe("the outbox backlog on the books (real broker, real SQLite)", () => {
  const queue = `test.books-backlog.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-books-backlog-"));
  const db = openDb(join(dir, "warren.db"));
  const hop = new Hop();
  let publishLink: BrokerLink;
  let sampleLink: BrokerLink;
  let door: ReturnType<typeof orderDoor>;
  let sampler: QueueSampler;
  let checker: BooksChecker;
  before(async () => {
    await hop.open();
    publishLink = await new BrokerLink({
      url: `amqp://guest:guest@127.0.0.1:${hop.port}`,
      name: "test-books-backlog-publish",
      queues: [queue],
    }).start();
    sampleLink = await new BrokerLink({ url: AMQP_URL, name: "test-books-backlog-sample", queues: [queue] }).start();
    const publisher = new ConfirmPublisher(publishLink);
    await waitFor(() => publisher.ready, 10_000, "the publisher");
    door = orderDoor({ db, publisher, link: publishLink, queue });
    sampler = new QueueSampler({ link: sampleLink, queues: [queue], intervalMs: 200 }).start();
    checker = new BooksChecker({
      reads: sqliteHealth(db),
      sampler,
      orderQueue: queue,
      intervalMs: 60_000,
      settleMs: 300,
      verifyEveryMs: 60_000,
    });
  });
  after(async () => {
    await checker.stop();
    sampler.stop();
    await door.close();
    await hop.close();
    const raw = await amqp.connect(AMQP_URL);
    const channel = await raw.createChannel();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(deadLetterQueueOf(queue)).catch(() => {});
    await raw.close();
    await publishLink.close();
    await sampleLink.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows what waits while the broker is away, with its lease holder, and drains when it is back", async () => {
    await hop.close();
    await waitFor(() => publishLink.state !== "up", 10_000, "the publishing link to lose the broker");
    for (let i = 0; i < 5; i++) await door.place({ item: "book", quantity: 1 });

    let report: BooksReport | null = null;
    const check = async () => {
      report = await checker.check();
      return report;
    };
    await check();
    const waiting = report as unknown as BooksReport;
    assert.equal(waiting.backlog?.waiting, 5);
    assert.equal(waiting.outbox, 5);
    assert.ok(typeof waiting.backlog?.oldestAt === "number");
    assert.equal(waiting.backlog?.oldest.length, 5);
    // Only this process's relay holds leases; a row whose publish failed is given up, backing off.
    for (const owner of waiting.backlog?.owners ?? []) assert.equal(owner.owner, door.outbox.owner);
    for (const row of waiting.backlog?.oldest ?? []) assert.ok([door.outbox.owner, null].includes(row.leaseOwner));
    await waitFor(async () => ((await check()).backlog?.retrying ?? 0) > 0, 10_000, "a failed attempt backing off");
    const backingOff = (report as unknown as BooksReport).backlog?.oldest.find((row) => row.attempts > 0);
    assert.ok(backingOff?.lastError, "a failed row says why");

    await hop.open();
    await waitFor(async () => (await check()).backlog?.waiting === 0, 20_000, "the outbox to drain");
    // Nobody consumes this queue: the five orders are settled messages in it, and the books balance.
    await waitFor(
      async () => {
        const r = await check();
        return r.waiting === 5 && r.queue === 5 && r.balanced === true;
      },
      10_000,
      "the books to balance with five orders in the queue",
    );
    const drained = report as unknown as BooksReport;
    assert.deepEqual([drained.outbox, drained.backlog?.oldestAt, drained.difference], [0, null, 0]);
  });
});
