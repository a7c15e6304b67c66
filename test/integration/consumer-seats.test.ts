import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import amqp from "amqplib";
import { openDb } from "../../lib/store/db";
import { type CapturedProcess, startWorkerProcess } from "../helpers/child-process";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/** The metrics port a worker named in its log ("metrics on http://0.0.0.0:<port>/metrics"). */
const metricsPort = (worker: CapturedProcess) =>
  Number(/metrics on http:\/\/0\.0\.0\.0:(\d+)\//.exec(worker.output())?.[1]);

const standbyGauge = async (worker: CapturedProcess) => {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort(worker)}/metrics`)).text();
  return Number(/^warren_consumer_standby (\d+)/m.exec(text)?.[1]);
};

describe("consumer seats: one paying worker per seat on a machine, the next standing by", () => {
  const queue = `test.seats.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-seats-it-"));
  const workers: CapturedProcess[] = [];
  const env = {
    ORDER_QUEUE: queue,
    WARREN_DB_PATH: join(dir, "seats.db"),
    AMQP_URL,
    WORKER_METRICS_PORT: "0",
    WARREN_CONSUMERS_PER_HOST: "1",
  };

  after(async () => {
    await Promise.all(workers.map((w) => w.stop("SIGKILL")));
    await deleteQueueAndDlq(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it("stands the second worker by (ready, not subscribed), and it pays once the first is killed -9", async () => {
    const first = startWorkerProcess(env);
    workers.push(first);
    await waitFor(
      () => first.output().includes(`[payments] consuming ${queue}`),
      30_000,
      "the first worker to consume",
    );
    const second = startWorkerProcess(env);
    workers.push(second);
    await waitFor(() => second.output().includes("standing by: every consumer seat"), 30_000, "the second to stand by");
    await waitFor(() => metricsPort(second) > 0, 10_000, "the second worker's metrics port");

    const conn = await amqp.connect(AMQP_URL);
    try {
      const channel = await conn.createConfirmChannel();
      assert.equal((await channel.checkQueue(queue)).consumerCount, 1, "only the seated worker is subscribed");
      assert.equal(await standbyGauge(second), 1);
      assert.equal(await standbyGauge(first), 0);
      assert.ok(
        !second.output().includes(`[payments] consuming ${queue}`),
        `the standby never subscribed:\n${second.output()}`,
      );

      first.child.kill("SIGKILL");
      await first.exited;
      await waitFor(
        () => second.output().includes(`[payments] consuming ${queue}`),
        10_000,
        "the standby to take the seat",
      );
      assert.equal(await standbyGauge(second), 0);
      assert.equal((await channel.checkQueue(queue)).consumerCount, 1);

      const orderId = `seat-${Date.now()}`;
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "book" })), { persistent: true });
      await channel.waitForConfirms();
      const db = openDb(env.WARREN_DB_PATH);
      try {
        await waitFor(
          () => db.prepare("SELECT 1 FROM payments WHERE order_id = ?").get(orderId) !== undefined,
          10_000,
          "the order to be paid by the worker that took the seat",
        );
      } finally {
        db.close();
      }
    } finally {
      await conn.close();
    }
  });
});
