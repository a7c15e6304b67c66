import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { deadLetterQueueOf } from "../../lib/amqp/topology";
import { discoverDeadLetterQueues } from "../../lib/deadletters/discover";
import { ManagementClient } from "../../lib/queues/management";
import { AMQP_URL, MANAGEMENT_URL, needsManagement } from "./harness";

/**
 * The README's claim: every queue some queue dead-letters into is offered, through direct, fanout,
 * topic and headers exchanges and the default exchange, and only those a dead letter can reach.
 */
describe("dead-letter discovery through every exchange type (management API)", {
  skip: await needsManagement(),
}, () => {
  const prefix = `test.discovery.${process.pid}.${Date.now()}`;
  const orderQueue = `${prefix}.orders`;
  const q = (name: string) => `${prefix}.${name}`;
  const x = (name: string) => `${prefix}.x.${name}`;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  const queues: string[] = [];
  const exchanges: string[] = [];

  const queue = async (name: string, args?: Record<string, unknown>) => {
    queues.push(name);
    await channel.assertQueue(name, { durable: false, arguments: args });
  };
  const exchange = async (name: string, type: string) => {
    exchanges.push(name);
    await channel.assertExchange(name, type, { durable: false });
  };

  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
    // direct: only the binding whose key is the dead-letter routing key.
    await exchange(x("direct"), "direct");
    await queue(q("direct.dlq"));
    await queue(q("direct.decoy"));
    await channel.bindQueue(q("direct.dlq"), x("direct"), "dead");
    await channel.bindQueue(q("direct.decoy"), x("direct"), "other");
    await queue(q("direct.src"), { "x-dead-letter-exchange": x("direct"), "x-dead-letter-routing-key": "dead" });
    // fanout: every bound queue, whatever the key.
    await exchange(x("fanout"), "fanout");
    await queue(q("fanout.dlq"));
    await channel.bindQueue(q("fanout.dlq"), x("fanout"), "ignored");
    await queue(q("fanout.src"), { "x-dead-letter-exchange": x("fanout") });
    // topic: the pattern that matches the key, not the one that does not.
    await exchange(x("topic"), "topic");
    await queue(q("topic.dlq"));
    await queue(q("topic.decoy"));
    await channel.bindQueue(q("topic.dlq"), x("topic"), "orders.*.dead");
    await channel.bindQueue(q("topic.decoy"), x("topic"), "orders.us.#");
    await queue(q("topic.src"), {
      "x-dead-letter-exchange": x("topic"),
      "x-dead-letter-routing-key": "orders.eu.dead",
    });
    // topic without a routing-key argument: the source queue's own name is the key.
    await queue(q("topic.byname.dlq"));
    await channel.bindQueue(q("topic.byname.dlq"), x("topic"), `${prefix}.#`);
    await queue(q("topic.byname.src"), { "x-dead-letter-exchange": x("topic") });
    // headers: every bound queue (the header match is decided per message).
    await exchange(x("headers"), "headers");
    await queue(q("headers.dlq"));
    await channel.bindQueue(q("headers.dlq"), x("headers"), "", { "x-match": "any", reason: "rejected" });
    await queue(q("headers.src"), { "x-dead-letter-exchange": x("headers") });
    // the default exchange: the queue named by the routing key.
    await queue(q("default.dlq"));
    await queue(q("default.src"), { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": q("default.dlq") });
  });

  after(async () => {
    for (const name of queues) await channel.deleteQueue(name).catch(() => {});
    for (const name of exchanges) await channel.deleteExchange(name).catch(() => {});
    await connection.close().catch(() => {});
  });

  it("finds each dead-letter queue with its source, and none a dead letter cannot reach", async () => {
    const management = new ManagementClient({ baseUrl: MANAGEMENT_URL, amqpUrl: AMQP_URL, timeoutMs: 5000 });
    const discovery = await discoverDeadLetterQueues({ orderQueue, management });
    assert.equal(discovery.management, true, "the management API answered");
    const mine = new Map(
      discovery.queues.filter((d) => d.name.startsWith(prefix)).map((d) => [d.name, d.sources] as const),
    );
    assert.deepEqual(Object.fromEntries([...mine].sort(([a], [b]) => a.localeCompare(b))), {
      [q("default.dlq")]: [q("default.src")],
      [q("direct.dlq")]: [q("direct.src")],
      [q("fanout.dlq")]: [q("fanout.src")],
      [q("headers.dlq")]: [q("headers.src")],
      [deadLetterQueueOf(orderQueue)]: [orderQueue],
      [q("topic.byname.dlq")]: [q("topic.byname.src")],
      [q("topic.dlq")]: [q("topic.src")],
    });
    assert.equal(discovery.queues[0]?.name, deadLetterQueueOf(orderQueue), "Warren's own DLQ comes first");
  });
});
