import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { PAYMENT_EVENTS_EXCHANGE } from "../../lib/amqp/topology";
import { PaymentRelay } from "../../lib/events/hub";
import type { Payment } from "../../lib/payments/decide";
import { openDb } from "../../lib/store/db";
import { type CapturedProcess, startWorkerProcess } from "../helpers/child-process";
import { orderDoor } from "../helpers/order-door";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

describe("`npm run worker` as a separate process", () => {
  const queue = `test.worker.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-worker-"));
  let worker: CapturedProcess;
  let link: BrokerLink;
  let relay: PaymentRelay;
  let publisher: ConfirmPublisher;
  let door: ReturnType<typeof orderDoor>;
  let db: ReturnType<typeof openDb>;
  const relayed: Payment[] = [];
  let foreign: PaymentRelay;
  const foreignSeen: Payment[] = [];

  before(async () => {
    worker = startWorkerProcess({ ORDER_QUEUE: queue, WARREN_DB_PATH: join(dir, "worker.db"), AMQP_URL });
    await waitFor(() => worker.output().includes(`consuming ${queue}`), 30_000, "the worker to start consuming");
    // This process plays a web process: it publishes and listens for payment events.
    link = await new BrokerLink({ url: AMQP_URL, name: "test-worker-web", queues: [queue] }).start();
    publisher = new ConfirmPublisher(link);
    relay = new PaymentRelay(link, queue).start();
    // Another pipeline's relay on the same broker must not see this pipeline's payments.
    foreign = new PaymentRelay(link, `${queue}.other`).start();
    foreign.on("payment", (payment: Payment) => foreignSeen.push(payment));
    relay.on("payment", (payment: Payment) => relayed.push(payment));
    await waitFor(() => publisher.ready, 5000, "the publisher");
    // The web side's order door, on the SQLite file the worker shares (as a web process and a worker on one host do).
    db = openDb(join(dir, "worker.db"));
    door = orderDoor({ db, publisher, link, queue });
  });

  after(async () => {
    await worker.stop();
    await deleteQueueAndDlq(queue);
    await door.close();
    db.close();
    await link.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pays an order and the payment event reaches another process through payments.events", async () => {
    // Both relays' queues bound before the order: a probe event each, sent until it is seen.
    const probe = (routingKey: string, orderId: string, seen: Payment[]) =>
      waitFor(
        async () => {
          await publisher
            .publish(PAYMENT_EVENTS_EXCHANGE, routingKey, Buffer.from(JSON.stringify([{ orderId }])), {
              messageId: orderId,
            })
            .catch(() => {});
          return waitFor(() => seen.some((p) => p.orderId === orderId), 500, orderId).then(
            () => true,
            () => false,
          );
        },
        10_000,
        `the relay of ${routingKey} to subscribe`,
      );
    await probe(queue, "probe-own", relayed);
    await probe(`${queue}.other`, "probe-foreign", foreignSeen);
    const order = await door.place({ item: "tea", quantity: 2 });
    await waitFor(() => relayed.some((p) => p.orderId === order.orderId), 10_000, "the relayed payment");
    // The foreign relay's queue is its own: a sentinel published after the payment, once seen
    // there, means the payment's event was already handled (and ignored) by it.
    await probe(`${queue}.other`, "sentinel-foreign", foreignSeen);
    const payment = relayed.find((p) => p.orderId === order.orderId);
    assert.equal(payment?.quantity, 2);
    assert.equal(payment?.amountCents, 560);
    assert.deepEqual(
      foreignSeen.filter((p) => !/^(probe|sentinel)-/.test(p.orderId)),
      [],
      "payments stay within their own pipeline",
    );
  });

  it("shuts down in order on SIGTERM and exits 0", async () => {
    const code = await worker.stop("SIGTERM");
    assert.equal(code, 0);
    assert.match(worker.output(), /SIGTERM: shutting down/);
  });
});
