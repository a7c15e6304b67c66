import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import amqp, { type ChannelModel } from "amqplib";
import { BrokerLink } from "../../lib/amqp/link";
import { DepthProbe } from "../../lib/history/probe";
import { readHistory } from "../../lib/history/read";
import { HistoryRecorder } from "../../lib/history/recorder";
import { historySampler } from "../../lib/history/sample";
import { Leader } from "../../lib/process/leader";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { WarrenStore } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";
import { AMQP_URL, waitFor } from "./harness";

/**
 * Two history samplers (as two web processes have) on one database and the real broker: only the
 * holder of the "history-sampler" lease writes, one row per queue per second; when it stops (or
 * dies and its lease runs out) the other takes over; what was written is there after a reopen.
 */
const dir = mkdtempSync(join(tmpdir(), "warren-history-it-"));
let database: TestDatabase | undefined;
let connection: ChannelModel;
let link: BrokerLink;
const queue = `history-it-${randomUUID().slice(0, 8)}`;

before(async () => {
  if (!PG_SKIP) database = await createTestDatabase("warren_history");
  connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: false, autoDelete: false });
  for (let i = 0; i < 3; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
  await channel.close();
  link = new BrokerLink({ url: AMQP_URL, name: "history-it", queues: [], log: () => {} });
  void link.start();
  await waitFor(() => link.current() !== null, 10_000, "the broker link");
});

after(async () => {
  await link?.close();
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await connection.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: Array<{ name: string; skip: string | false; open: (n: number) => Promise<WarrenStore> }> = [
  { name: "sqlite", skip: false, open: async () => openSqliteStore(join(dir, "history.db")) },
  {
    name: "postgres",
    skip: PG_SKIP,
    open: async () => {
      if (!database) throw new Error("no test database");
      return openPostgresStore(database.url(), { max: 4 });
    },
  },
];

for (const backend of backends) {
  describe(`history sampled by one leader: ${backend.name}`, { skip: backend.skip }, () => {
    it("one writer at a time, a takeover when the leader stops or dies, and the rows survive a reopen", async () => {
      let clock = Date.now();
      const now = () => clock;
      let store = await backend.open(1);
      const probe = new DepthProbe(link);
      const recorder = (s: WarrenStore, ttlMs = 3000) =>
        new HistoryRecorder({
          store: s.history,
          leader: new Leader(s.leadership, "history-sampler", { ttlMs, now }),
          pinned: [queue],
          rollupEveryMs: 60_000,
          sample: historySampler({
            live: () => null,
            probe,
            management: null,
            health: s.health,
            orderQueue: "not-this-one",
            liveMaxAgeMs: 2000,
          }),
        });
      try {
        const a = recorder(store);
        const b = recorder(store);
        const t0 = clock;
        // Ten seconds of rounds; B asks first each second, so a B that wrote without leading would show.
        await a.tick(clock);
        for (let i = 1; i <= 10; i++) {
          clock = t0 + i * 1000;
          await b.tick(clock);
          await a.tick(clock);
        }
        assert.equal(a.stats.written, 11);
        assert.equal(b.stats.written, 0);
        assert.equal(b.stats.leading, false);
        assert.deepEqual(await store.history.rowCounts(queue), { 1000: 11 });

        // A stops (hands the role over): B writes from its next round on.
        await a.stop();
        for (let i = 11; i <= 15; i++) {
          clock = t0 + i * 1000;
          await b.tick(clock);
        }
        assert.equal(b.stats.written, 5);
        assert.equal(a.stats.written, 11);

        // B dies without a word (no stop): a third process takes over once B's lease ran out, not before.
        // The lease runs out in real time too: PostgreSQL judges it by the database's clock, not the callers'.
        const c = recorder(store);
        clock = t0 + 16_000;
        await c.tick(clock);
        assert.equal(c.stats.written, 0);
        await new Promise((resolve) => setTimeout(resolve, 3100));
        clock = t0 + 15_000 + 3000;
        await c.tick(clock);
        assert.equal(c.stats.written, 1);
        assert.deepEqual(await store.history.rowCounts(queue), { 1000: 17 });

        // The depth written is the broker's.
        const view = await readHistory(store.history, queue, "10m", clock);
        assert.equal(view.filled, 17);
        assert.equal(
          view.ready.findLast((v) => v !== null),
          3,
        );

        // A restarted process (the store reopened) reads the history from before.
        await c.stop();
        await store.close();
        store = await backend.open(2);
        const again = await readHistory(store.history, queue, "10m", clock);
        assert.equal(again.filled, 17);
        assert.deepEqual(await store.history.tracked(), [queue]);
      } finally {
        probe.close();
        await store.close();
      }
    });
  });
}
