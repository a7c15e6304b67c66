import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { AlertEvaluator, type AlertEvaluatorOptions } from "../../lib/alerts/evaluator";
import { parseWebhooks } from "../../lib/alerts/webhooks";
import type { BooksReport } from "../../lib/books/books";
import { BooksChecker } from "../../lib/books/checker";
import { QueueSampler } from "../../lib/events/sampler";
import { listenForControl } from "../../lib/payments/control";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { SqliteStore } from "../../lib/store/sqlite";
import type { WarrenStore } from "../../lib/store/store";
import { alertEvaluatorOptions } from "../helpers/alert-evaluator";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, startPipeline, waitFor } from "./harness";
import { startReceiver } from "./webhook-receiver";

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** A books report that is out of balance (or balanced), for the tests that exercise sending, not the books. */
const booksReport = (balanced: boolean): BooksReport => ({
  at: Date.now(),
  accepted: 1,
  outbox: 0,
  queue: 0,
  inFlight: 0,
  waiting: balanced ? 0 : 1,
  paid: balanced ? 1 : 0,
  deadLettered: 0,
  paidTwice: [],
  difference: balanced ? 0 : 1,
  balanced,
  lost: [],
  catchingUp: false,
  backlog: null,
});

function evaluator(
  store: WarrenStore,
  queue: string,
  { hooks, ...overrides }: Partial<AlertEvaluatorOptions> & { hooks?: string },
): { evaluator: AlertEvaluator; logs: string[] } {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const evaluator = new AlertEvaluator(
    alertEvaluatorOptions(store, { orderQueue: queue, webhooks: parseWebhooks(hooks), log, ...overrides }),
  );
  return { evaluator, logs };
}

describe("alerts (real broker, real SQLite, webhook receivers started here)", () => {
  let pipeline: Pipeline;
  let store: SqliteStore;
  before(async () => {
    pipeline = await startPipeline("alerts");
    store = new SqliteStore(pipeline.ledger.db);
  });
  after(async () => {
    await pipeline.close();
  });

  it("fires when a deleted payment row unbalances the books, to JSON and Slack webhooks, and resolves once fixed", async () => {
    const json = await startReceiver();
    const slack = await startReceiver();
    const sampler = new QueueSampler({ link: pipeline.consumeLink, queues: [pipeline.queue], intervalMs: 200 }).start();
    const checker = new BooksChecker({
      reads: store.health,
      sampler,
      orderQueue: pipeline.queue,
      intervalMs: 60_000,
      settleMs: 300,
      verifyEveryMs: 0,
    });
    const { evaluator: alerts } = evaluator(store, pipeline.queue, {
      hooks: `${json.url()}, slack+${slack.url("/services/T000/B000/XXXX")}`,
      books: () => checker.latest,
    });
    try {
      const orders = [];
      for (let i = 0; i < 5; i++) orders.push(await pipeline.placeOrder({ item: "book", quantity: 1 }));
      await waitFor(async () => (await checker.check()).balanced === true, 15_000, "the books to balance");
      assert.equal(await alerts.round(), true);
      assert.deepEqual(await store.alerts.firing(), []);

      const victim = orders[2]?.orderId ?? "";
      const row = pipeline.ledger.db.prepare("SELECT * FROM payments WHERE order_id = ?").get(victim) as Record<
        string,
        unknown
      >;
      pipeline.ledger.db.prepare("DELETE FROM payments WHERE order_id = ?").run(victim);
      await waitFor(async () => (await checker.check()).balanced === false, 10_000, "the books to notice");
      await alerts.round();
      assert.deepEqual(
        (await store.alerts.firing()).map((i) => [i.key, i.summary]),
        [["books", "1 order unaccounted for"]],
      );
      assert.equal(json.accepted().length, 1);
      const fired = json.accepted()[0]?.body as { event: string; alert: { key: string; summary: string }; id: string };
      assert.equal(fired.event, "fired");
      assert.equal(fired.alert.key, "books");
      assert.equal(fired.alert.summary, "1 order unaccounted for");
      assert.equal(json.accepted()[0]?.headers["idempotency-key"], fired.id);
      assert.equal(slack.accepted().length, 1);
      const slackBody = slack.accepted()[0]?.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(slackBody), ["text"]);
      assert.match(String(slackBody.text), /FIRING.*books: 1 order unaccounted for/);
      assert.equal(slack.accepted()[0]?.path, "/services/T000/B000/XXXX");

      // Fixed: the payment row is back.
      const columns = Object.keys(row);
      pipeline.ledger.db
        .prepare(`INSERT INTO payments (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
        .run(...columns.map((c) => row[c]));
      await waitFor(async () => (await checker.check()).balanced === true, 10_000, "the books to balance again");
      await alerts.round();
      await alerts.round();
      assert.deepEqual(await store.alerts.firing(), []);
      for (const receiver of [json, slack]) {
        assert.equal(receiver.received.length, 2, "each webhook is told once of the firing and once of the resolution");
      }
      assert.deepEqual(
        json.accepted().map((r) => (r.body as { event: string }).event),
        ["fired", "resolved"],
      );
      assert.match(String((slack.accepted()[1]?.body as { text?: string } | undefined)?.text), /RESOLVED.*books/);
      const [incident] = await store.alerts.history(1);
      assert.equal(incident?.resolution, "the books balance again");
      assert.ok(incident && incident.resolvedAt !== null && incident.resolvedAt >= incident.firedAt);
      assert.equal(incident?.delivered, 4);
    } finally {
      await alerts.stop();
      await checker.stop();
      sampler.stop();
      await json.close();
      await slack.close();
    }
  });

  it("retries a webhook that is down until it is up, delivers exactly once, and never logs its secrets", async () => {
    const receiver = await startReceiver({ failFirst: 2 });
    const hook = receiver.url("/hooks/TOKEN123?key=k3y").replace("http://", "http://alice:s3cret@");
    let balanced = false;
    const { evaluator: alerts, logs } = evaluator(store, `${pipeline.queue}.retry`, {
      hooks: hook,
      books: () => booksReport(balanced),
    });
    try {
      await waitFor(
        async () => {
          await alerts.round();
          return receiver.accepted().length > 0;
        },
        10_000,
        "the webhook to take the notification",
      );
      assert.deepEqual(
        receiver.received.map((r) => r.status),
        [503, 503, 200],
      );
      assert.equal(
        receiver.received[2]?.headers.authorization,
        `Basic ${Buffer.from("alice:s3cret").toString("base64")}`,
      );
      balanced = true;
      await alerts.round();
      await alerts.round();
      assert.deepEqual(
        receiver.accepted().map((r) => (r.body as { event: string }).event),
        ["fired", "resolved"],
      );
      assert.ok(logs.some((l) => l.includes("HTTP 503")));
      for (const secret of ["s3cret", "TOKEN123", "k3y", "alice"]) {
        assert.ok(!logs.some((l) => l.includes(secret)), `no log line holds ${secret}`);
      }
    } finally {
      await alerts.stop();
      await receiver.close();
    }
  });

  it("pauses the payment consumers above the guard's dead-letter rate, as the system, audited", async () => {
    const control = listenForControl(pipeline.consumeLink, pipeline.consumer);
    const sampler = new QueueSampler({ link: pipeline.consumeLink, queues: [pipeline.queue], intervalMs: 100 }).start();
    const { evaluator: alerts } = evaluator(store, pipeline.queue, {
      guard: { enabled: true, dlqPerMin: 3 },
      publisher: pipeline.publisher,
      sample: () => sampler.latest(),
    });
    const consumersSeen = (n: number) => {
      const sample = sampler.latest();
      return sample?.queues.find((q) => q.name === pipeline.queue)?.consumers === n;
    };
    try {
      await waitFor(() => control.channel.current() !== null, 10_000, "the control listener");
      await alerts.round();
      assert.equal(pipeline.consumer.stats.paused, false, "below the threshold nothing is paused");
      for (let i = 0; i < 5; i++) await pipeline.send(`not json ${i}`, { appId: "guard-test" });
      await waitFor(
        async () => (await store.payments.deadLettersSince(Date.now() - 60_000)) >= 5,
        10_000,
        "five dead letters",
      );
      await alerts.round();
      await waitFor(() => pipeline.consumer.stats.paused, 10_000, "the consumer to be paused by the guard");
      const [entry] = await store.audit.byActionPrefix("consumers.pause", 1);
      assert.equal(entry?.actor, "system");
      assert.equal(entry?.target, pipeline.queue);
      assert.equal(entry?.result, "ok");
      assert.equal(entry?.details?.by, "alert guard");
      // Stored, so every process (and one started later) stays paused, not only those the broadcast reached.
      assert.equal((await store.pipeline.read(pipeline.queue))?.paused, true);
      const firing = (await store.alerts.firing()).map((i) => i.key);
      assert.ok(firing.includes("guard"));
      // Once per incident: another round does not pause (or audit) again.
      await waitFor(() => consumersSeen(0), 10_000, "the broker to show no consumer");
      await alerts.round();
      assert.equal((await store.audit.byActionPrefix("consumers.pause", 10)).length, 1);
      assert.ok(
        (await store.alerts.firing()).some((i) => i.key === "guard"),
        "paused: the guard stays on /alerts",
      );
      // An operator resumes: the guard's alert resolves.
      await pipeline.consumer.resume();
      await waitFor(() => consumersSeen(1), 10_000, "the broker to show the consumer again");
      await alerts.round();
      const guard = (await store.alerts.history(20)).find((i) => i.key === "guard");
      assert.equal(guard?.resolution, "payment consumers resumed");
    } finally {
      await pipeline.consumer.resume();
      await alerts.stop();
      await control.close();
      sampler.stop();
    }
  });

  it("tells who sends bad messages: per reason group and app_id/user_id, first and last seen, and the rate", async () => {
    const before = Date.now();
    await pipeline.send("not json at all", { appId: "shop-web", userId: "guest" });
    await pipeline.send("still not json", { appId: "shop-web", userId: "guest" });
    await pipeline.send(JSON.stringify({ orderId: "who-1", item: "book", quantity: -4 }), { appId: "legacy-batch" });
    await pipeline.send(JSON.stringify({ orderId: "who-2", item: "book", quantity: -9 }), { appId: "legacy-batch" });
    await pipeline.send(JSON.stringify({ orderId: "who-3", item: "book", quantity: -9 }));
    const window = () => ({ minuteAgo: Date.now() - 60_000, hourAgo: Date.now() - 3_600_000 });
    await waitFor(
      async () =>
        (await store.payments.deadLetterSources(window(), 50))
          .filter((s) => s.lastAt >= before)
          .reduce((n, s) => n + s.count, 0) >= 5,
      10_000,
      "five dead letters with their producers",
    );
    const rows = (await store.payments.deadLetterSources(window(), 50)).filter(
      (s) => s.appId !== "guard-test" && s.lastAt >= before,
    );
    const byApp = new Map(rows.map((s) => [`${s.appId}/${s.userId}`, s]));
    assert.deepEqual([...byApp.keys()].sort(), ["legacy-batch/null", "null/null", "shop-web/guest"]);
    const web = byApp.get("shop-web/guest");
    assert.equal(web?.count, 2);
    assert.equal(web?.lastMinute, 2);
    assert.match(web?.group ?? "", /not JSON/);
    assert.ok(web && web.firstAt >= before && web.lastAt >= web.firstAt);
    const legacy = byApp.get("legacy-batch/null");
    assert.equal(legacy?.count, 2, "two quantities, one reason group");
    assert.notEqual(legacy?.group, web?.group);

    // user_id is checked by the broker: a producer cannot claim another user's name.
    const liar = await amqp.connect(AMQP_URL);
    const channel = await liar.createConfirmChannel();
    const closed = new Promise<string>((resolve) => channel.on("error", (e: Error) => resolve(e.message)));
    channel.sendToQueue(pipeline.queue, Buffer.from("x"), { userId: "mallory" });
    assert.match(await closed, /PRECONDITION_FAILED.*user_id/);
    await liar.close().catch(() => undefined);
  });
});

describe("alerts with two evaluators on one PostgreSQL database", { skip: PG_SKIP }, () => {
  let database: TestDatabase;
  let stores: PostgresStore[];
  before(async () => {
    database = await createTestDatabase("warren_alerts");
    stores = [openPostgresStore(database.url(), { max: 3 }), openPostgresStore(database.url(), { max: 3 })];
  });
  after(async () => {
    for (const s of stores) await s.close();
    await database.drop();
  });

  it("only the leader sends; when it stops, the other carries on without resending", async () => {
    const receiver = await startReceiver();
    let balanced = false;
    const [a, b] = stores.map(
      (store) =>
        evaluator(store, "alerts-two", { hooks: receiver.url(), books: () => booksReport(balanced) }).evaluator,
    );
    assert.ok(a && b);
    try {
      const led = [];
      for (let i = 0; i < 5; i++) led.push(...(await Promise.all([a.round(), b.round()])));
      assert.equal(led.filter(Boolean).length, 5, "one of the two leads each round");
      assert.equal(receiver.received.length, 1);
      const leader = led[0] ? a : b;
      const other = leader === a ? b : a;
      await leader.stop();
      balanced = true;
      assert.equal(await other.round(), true, "the other takes over once the leader handed over");
      await Promise.all([leader.round(), other.round()]);
      assert.deepEqual(
        receiver.received.map((r) => [(r.body as { event: string }).event, r.status]),
        [
          ["fired", 200],
          ["resolved", 200],
        ],
      );
    } finally {
      await a.stop();
      await b.stop();
      await receiver.close();
    }
  });
});
