import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp, { type ChannelModel, type ConfirmChannel } from "amqplib";
import { PrivateBroker, privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { waitFor } from "./harness";

/**
 * The security review's mends (aa795de), through the routes a browser calls, on a web process of Warren's
 * own (in this test process) and a private RabbitMQ node with the management plugin and a second
 * user, "producer" (a user is never added to the shared broker): a producer's message whose
 * user_id is not Warren's is moved, a move onto the source queue through the default exchange is
 * refused, an export form post that names no origin is refused, and the dead-letter senders list
 * names a producer's connections by their client names, never by their peer addresses.
 */
const skip = privateBrokerSkipReason();
const port = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
const managementPort = port + 10_000;
const PRODUCER = { name: "producer", password: "producer-password" };
const broker = skip ? null : new PrivateBroker({ port, managementPort, user: PRODUCER });
const guestUrl = `amqp://guest:guest@127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "warren-message-routes-"));
const ORDER_QUEUE = `it.mends.${process.pid}`;
const ADMIN_PASSWORD = "message-routes-admin";
process.env.ORDER_QUEUE = ORDER_QUEUE;
process.env.WARREN_DB_PATH = join(dir, "warren.db");
process.env.AMQP_URL = guestUrl;
process.env.RABBITMQ_MANAGEMENT_URL = `http://127.0.0.1:${managementPort}`;
process.env.WARREN_ADMIN_PASSWORD = ADMIN_PASSWORD;
delete process.env.WARREN_ALLOWED_ORIGINS;

type Route = (request: Request) => Promise<Response>;

describe("message routes and senders on a private node (move, export, dead-letter senders)", {
  skip: skip || false,
}, () => {
  let warren: { close(): Promise<void> } | null = null;
  let cookie = "";
  let guest: ChannelModel;
  let ch: ConfirmChannel;
  const producers: ChannelModel[] = [];

  const producer = async (clientName?: string) => {
    const connection = await amqp.connect(
      broker?.url as string,
      clientName ? { clientProperties: { connection_name: clientName } } : {},
    );
    connection.on("error", () => {});
    producers.push(connection);
    return connection.createConfirmChannel();
  };

  const call = async (
    modulePath: string,
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => {
    const handlers = (await import(modulePath)) as { GET?: Route; POST?: Route };
    const handler = (init.method ?? "POST") === "POST" ? handlers.POST : handlers.GET;
    assert.ok(handler, `${modulePath} has the handler`);
    return handler(
      new Request(`http://127.0.0.1:${port}${path}`, {
        method: init.method ?? "POST",
        headers: { cookie, ...init.headers },
        body: init.body,
      }),
    );
  };
  const queuePath = (queue: string, action: string) => `/api/broker/queues/${encodeURIComponent(queue)}/${action}`;

  before(async () => {
    await broker?.start();
    const { startWarren } = await import("../../lib/process");
    const rt = startWarren("web");
    warren = rt;
    await waitFor(() => rt.publisher.ready && rt.consumer?.stats.running === true, 20_000, "the web process");
    const { signIn } = await import("../../lib/auth/accounts");
    const outcome = await signIn("admin", ADMIN_PASSWORD, { client: "127.0.0.1", userAgent: null });
    assert.ok(outcome.ok, "the env admin signs in");
    const { SESSION_COOKIE } = await import("../../lib/auth/session");
    cookie = `${SESSION_COOKIE}=${outcome.signedIn.token}`;
    guest = await amqp.connect(guestUrl);
    ch = await guest.createConfirmChannel();
  });

  after(async () => {
    try {
      for (const connection of producers) await connection.close().catch(() => {});
      await guest?.close().catch(() => {});
      await warren?.close();
    } finally {
      await broker?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("moves another producer's message (its user_id is not Warren's) without losing the channel", async () => {
    const from = `it.mends.user-id.from.${process.pid}`;
    const to = `it.mends.user-id.to.${process.pid}`;
    await ch.assertQueue(from, { durable: true });
    await ch.assertQueue(to, { durable: true });
    const producerChannel = await producer("billing");
    // The broker checks user_id against the publishing connection's user: "producer" may say it is "producer".
    producerChannel.sendToQueue(from, Buffer.from('{"n":1}'), { userId: PRODUCER.name, messageId: "from-producer" });
    await producerChannel.waitForConfirms();

    const res = await call("../../app/api/broker/queues/[name]/move/route", queuePath(from, "move"), {
      headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ mode: "move", target: { queue: to }, selection: { all: true }, confirmed: true }),
    });
    assert.equal(res.status, 200);
    const events = (await res.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; done?: number; failed?: number; errors?: string[] });
    const done = events.at(-1);
    assert.equal(done?.type, "done");
    assert.deepEqual([done?.done, done?.failed, done?.errors], [1, 0, []], "moved, not refused by the broker");
    assert.equal((await ch.checkQueue(from)).messageCount, 0);
    const moved = await ch.get(to, { noAck: true });
    assert.ok(moved, "the copy is on the target");
    assert.equal(moved.properties.messageId, "from-producer");
    assert.equal(moved.properties.userId, undefined, "Warren cannot vouch for another user: the copy has no user_id");
  });

  it("refuses a move to the default exchange with the source queue's name as routing key (it would loop)", async () => {
    const from = `it.mends.self.${process.pid}`;
    await ch.assertQueue(from, { durable: true });
    for (let i = 0; i < 3; i++) ch.sendToQueue(from, Buffer.from(`{"n":${i}}`), { messageId: `self-${i}` });
    await ch.waitForConfirms();
    const res = await call("../../app/api/broker/queues/[name]/move/route", queuePath(from, "move"), {
      headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
      body: JSON.stringify({
        mode: "move",
        target: { exchange: "", routingKey: from },
        selection: { all: true },
        limit: 30,
        confirmed: true,
      }),
    });
    // A move that started would stream on (and loop): stop it before asserting.
    if (res.status !== 400) await res.body?.cancel();
    const body = res.status === 400 ? await res.text() : "";
    assert.equal(res.status, 400);
    assert.match(body, /target is the source queue/);
    await waitFor(async () => (await ch.checkQueue(from)).messageCount === 3, 5000, "the source to hold its 3");
  });

  it("refuses an export form post that names no origin, and serves one from the page", async () => {
    const queue = `it.mends.export.${process.pid}`;
    await ch.assertQueue(queue, { durable: true });
    ch.sendToQueue(queue, Buffer.from('{"secret":"row"}'), { messageId: "export-1" });
    await ch.waitForConfirms();
    const form = (headers: Record<string, string>) =>
      call("../../app/api/broker/queues/[name]/export/route", queuePath(queue, "export"), {
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({
          payload: JSON.stringify({ format: "jsonl", selection: { all: true } }),
        }).toString(),
      });
    const bare = await form({});
    const text = await bare.text();
    assert.equal(bare.status, 403, `a form post with neither Origin nor Sec-Fetch-Site: ${text.slice(0, 200)}`);
    assert.match(text, /needs an Origin header/);
    assert.doesNotMatch(text, /secret/);
    const fromPage = await form({ "sec-fetch-site": "same-origin" });
    assert.equal(fromPage.status, 200);
    assert.match(await fromPage.text(), /export-1/);
    await waitFor(async () => (await ch.checkQueue(queue)).messageCount === 1, 5000, "the exported message back");
  });

  it("lists a producer's live connections by client name only, never by peer address", async () => {
    const named = await producer("billing-service");
    const unnamed = await producer();
    for (const channel of [named, unnamed]) {
      // Not JSON: Warren's consumer dead-letters it and notes who sent it.
      channel.sendToQueue(ORDER_QUEUE, Buffer.from("not json"), { userId: PRODUCER.name, appId: "mends-app" });
      await channel.waitForConfirms();
    }
    type Report = { groups: Array<{ senders: Array<{ userId: string | null; liveConnections: string[] | null }> }> };
    let live: string[] | null = null;
    await waitFor(
      async () => {
        const res = await call("../../app/api/dead-letters/senders/route", "/api/dead-letters/senders", {
          method: "GET",
        });
        const report = (await res.json()) as Report;
        const sender = report.groups.flatMap((g) => g.senders).find((s) => s.userId === PRODUCER.name);
        live = sender?.liveConnections ?? null;
        // Both connections listed (the management API knows them within a moment).
        return (live?.length ?? 0) >= 2;
      },
      15_000,
      "the senders list to show the producer's two connections",
    );
    const names: string[] = live ?? [];
    assert.ok(names.includes("billing-service"), `a named connection shows its client name: ${names}`);
    assert.ok(names.includes("(a connection without a client name)"), `an unnamed one says so: ${names}`);
    // A connection's own name is "ip:port -> ip:port": shown to operators on /connections only.
    assert.deepEqual(
      names.filter((name) => /\d+\.\d+\.\d+\.\d+:\d+/.test(name)),
      [],
      "no peer address in the public list",
    );
  });
});
