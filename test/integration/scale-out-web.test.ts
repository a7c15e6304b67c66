import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import { openPostgresStore, type PostgresStore } from "../../lib/store/postgres";
import { startWeb, startWorker, type WarrenEnv, type WarrenProcess } from "../../scripts/chaos/warren";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { closedPort } from "../helpers/ports";
import { openEventStream } from "../helpers/sse-reader";
import { AMQP_URL, waitFor } from "./harness";

const WORKERS = 3;
const ORDERS_PER_WEB = 60;
const PASSWORD = "scale-out-admin-password";

/**
 * Scaled out on real parts (issue 11): two `next start` web processes (the production build)
 * and three `npm run worker` processes on one PostgreSQL database and the real broker. Orders
 * placed through either web process are each paid once; every dashboard's live stream (GET
 * /api/events on each web process) shows every payment; a session made on one web process
 * works on the other and a sign-out on the first is honoured by the second; the audit log,
 * the pipeline's pause/resume and the sign-in guessing limits are shared.
 */
describe("2 web processes (next start) and 3 workers on one PostgreSQL database", { skip: PG_SKIP }, () => {
  const queue = `test.scale-web.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-scale-web-"));
  let database: TestDatabase;
  let store: PostgresStore;
  const workers: WarrenProcess[] = [];
  const webs: Array<{ process: WarrenProcess; base: string }> = [];

  before(async () => {
    assert.ok(existsSync(".next/BUILD_ID"), "needs the production build: run `npx next build` first (npm test does)");
    database = await createTestDatabase("warren_scaleweb");
    store = openPostgresStore(database.url(), { max: 2 });
    const env: WarrenEnv = {
      amqpUrl: AMQP_URL,
      // Unused on PostgreSQL (checked below: no file appears).
      dbPath: join(dir, "unused.db"),
      queue,
      extra: {
        DATABASE_URL: database.url(),
        WARREN_ADMIN_PASSWORD: PASSWORD,
        WORKER_METRICS_PORT: "0",
        WARREN_PIPELINE_POLL_MS: "600000",
      },
    };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(`worker-${i}`, env, 20));
    for (let i = 0; i < 2; i++) {
      const port = await closedPort();
      // Each its own SQLite path, as on two machines: nothing may be shared through a local file.
      const own = { ...env, dbPath: join(dir, `web-${i}.db`) };
      webs.push({ process: await startWeb(`web-${i}`, own, port, false), base: `http://127.0.0.1:${port}` });
    }
  });

  after(async () => {
    try {
      await Promise.all([...webs.map((w) => w.process.stop()), ...workers.map((w) => w.stop())]);
      await store?.close();
      const admin = await amqp.connect(AMQP_URL);
      const channel = await admin.createChannel();
      await channel.deleteQueue(queue).catch(() => {});
      await channel.deleteQueue(`${queue}.dlq`).catch(() => {});
      await admin.close();
    } finally {
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const consumers = async () => {
    const connection = await amqp.connect(AMQP_URL);
    try {
      return (await (await connection.createChannel()).checkQueue(queue)).consumerCount;
    } finally {
      await connection.close();
    }
  };

  it("pays every order placed through either web process once, and every dashboard's stream shows every payment", {
    timeout: 180_000,
  }, async () => {
    const [a, b] = webs;
    assert.ok(a && b);
    const streams = await Promise.all(webs.map((web) => openEventStream(web.base)));
    try {
      await waitFor(() => streams.every((s) => s.events.some((e) => e.event === "snapshot")), 20_000, "both snapshots");
      const place = async (base: string, i: number) => {
        const res = await fetch(`${base}/api/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ item: i % 2 ? "book" : "tea", quantity: 1 + (i % 3) }),
        });
        assert.equal(res.status, 202, await res.clone().text());
        return ((await res.json()) as { orderId: string }).orderId;
      };
      const ids = new Set(
        (
          await Promise.all(
            Array.from({ length: ORDERS_PER_WEB }, (_, i) => Promise.all([place(a.base, i), place(b.base, i)])),
          )
        ).flat(),
      );
      assert.equal(ids.size, 2 * ORDERS_PER_WEB);
      await waitFor(async () => (await store.payments.counts()).payments >= ids.size, 90_000, "every order to be paid");
      const paid = await store.payments.recent(ids.size + 10);
      assert.equal(paid.length, ids.size, "one payment per order, none more");
      assert.deepEqual(new Set(paid.map((p) => p.orderId)), ids);
      await waitFor(
        () =>
          streams.every((s) => {
            const seen = new Set(s.payments<{ orderId: string }>().map((p) => p.orderId));
            return [...ids].every((id) => seen.has(id));
          }),
        30_000,
        "every payment on both web processes' live streams",
      );
      for (const web of webs) {
        const totals = (await (await fetch(`${web.base}/api/payments`)).json()) as { totals: { payments: number } };
        assert.equal(totals.totals.payments, ids.size, `${web.base}/api/payments totals`);
      }
      for (const file of ["unused.db", "web-0.db", "web-1.db"]) {
        assert.ok(!existsSync(join(dir, file)), `no SQLite file on PostgreSQL (${file})`);
      }
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  });

  it("a session made on A works on B; the audit log is shared; a sign-out on A is honoured by B", {
    timeout: 60_000,
  }, async () => {
    const [a, b] = webs;
    assert.ok(a && b);
    const signIn = await fetch(`${a.base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: PASSWORD }),
    });
    assert.equal(signIn.status, 200, await signIn.clone().text());
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    assert.match(cookie, /^warren_session=[A-Za-z0-9_-]{43}$/);

    const account = (base: string) => fetch(`${base}/account`, { headers: { cookie }, redirect: "manual" });
    const onB = await account(b.base);
    assert.equal(onB.status, 200, "B knows the session A made");
    assert.match(await onB.text(), /Signed in as/);

    // A's sign-in is in B's audit page (one audit log in the database).
    const audit = await fetch(`${b.base}/audit`, { headers: { cookie } });
    assert.equal(audit.status, 200);
    assert.match(await audit.text(), /auth\.sign-in/);

    // The pipeline's pause, asked on A, reaches every worker; a resume asked on B does too.
    const control = (base: string, command: string) =>
      fetch(`${base}/api/broker/consumers`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ command }),
      });
    assert.equal((await control(a.base, "pause")).status, 202);
    await waitFor(async () => (await consumers()) === 0, 20_000, "every worker to pause");
    assert.equal((await store.pipeline.read(queue))?.paused, true);
    assert.equal((await control(b.base, "resume")).status, 202);
    await waitFor(async () => (await consumers()) === WORKERS, 20_000, "every worker to resume");

    const signOut = await fetch(`${a.base}/api/session`, { method: "DELETE", headers: { cookie } });
    assert.equal(signOut.status, 204);
    const afterOnB = await account(b.base);
    assert.equal(afterOnB.status, 307, "B refuses the session A ended (redirects to sign in)");
    assert.match(afterOnB.headers.get("location") ?? "", /\/login/);
    assert.equal((await control(b.base, "pause")).status, 401, "and its actions are refused");
  });

  it("sign-in guesses through A and B count together: 5 wrong passwords split across them lock the name on both", {
    timeout: 30_000,
  }, async () => {
    const [a, b] = webs;
    assert.ok(a && b);
    const guess = (base: string) =>
      fetch(`${base}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "mallory", password: "not-the-password" }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await guess(i % 2 ? b.base : a.base)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    for (const web of [a, b]) {
      const refused = await guess(web.base);
      assert.equal(refused.status, 429, `${web.base}: the 6th guess, wherever it lands, is refused`);
      const retryAfter = Number(refused.headers.get("retry-after"));
      assert.ok(retryAfter >= 50 && retryAfter <= 60, `a 1 min lockout, not ${retryAfter}s`);
    }
    // The lock is a row in the database, not in either process.
    const byAccount = store.limits.limiter({ keyPrefix: "signin-account", points: 5, duration: 900 });
    assert.ok(((await byAccount.get("mallory"))?.consumedPoints ?? 0) > 5);
  });
});
