import type { BrokerLink } from "../../lib/amqp/link";
import type { ConfirmPublisher } from "../../lib/amqp/publisher";
import { acceptOrder } from "../../lib/orders/accept";
import { OrderOutbox } from "../../lib/orders/outbox";
import type { AcceptedOrder, OrderSource } from "../../lib/orders/types";
import type { Db } from "../../lib/store/db";
import { SqliteStore } from "../../lib/store/sqlite";

/**
 * The order door of a web process, for tests: the same outbox and the same
 * acceptOrder() that the form's action and `POST /api/orders` use (through
 * lib/orders), on the test's own queue, link and SQLite file.
 */
export function orderDoor(options: {
  db: Db;
  publisher: ConfirmPublisher;
  link: BrokerLink;
  queue: string;
  /** A clock for the outbox (placed and confirmed times), e.g. to make an order look old. */
  now?: () => number;
}) {
  const { db, ...rest } = options;
  const outbox = new OrderOutbox({ ...rest, store: new SqliteStore(db) }).start();
  return {
    outbox,
    place(input: unknown, source: OrderSource = "test"): Promise<AcceptedOrder> {
      return acceptOrder(input, source, outbox);
    },
    close(): Promise<void> {
      return outbox.stop();
    },
  };
}
