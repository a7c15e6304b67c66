import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { PaymentConsumer } from "../../lib/payments/consumer";
import { PipelineStateWatcher } from "../../lib/payments/pipeline-state";
import { openSqliteStore } from "../../lib/store/sqlite";

const dir = mkdtempSync(join(tmpdir(), "warren-pipeline-state-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The consumer's control surface, recording what it was told. */
function fakeConsumer(prefetch: number) {
  const calls: string[] = [];
  let reason: string | null = "starting";
  const consumer = {
    /** What the consumer's own status says meanwhile (a reconnect while paused), as the real one does. */
    setReason(why: string) {
      reason = why;
    },
    stats: { paused: true, prefetch },
    status: () => ({ reason }),
    async pause(why?: string) {
      consumer.stats.paused = true;
      reason = why ?? null;
      calls.push(`pause:${why}`);
    },
    async resume() {
      consumer.stats.paused = false;
      reason = null;
      calls.push("resume");
    },
    async setPrefetch(value: number) {
      consumer.stats.prefetch = value;
      calls.push(`prefetch:${value}`);
    },
  };
  return { consumer, calls };
}

const waitUntil = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
};

/** A started watcher of queue "q" for `consumer`, re-reading the stored state every 20 ms. */
const watch = (
  store: ConstructorParameters<typeof PipelineStateWatcher>[0]["store"],
  consumer: ReturnType<typeof fakeConsumer>["consumer"],
) =>
  new PipelineStateWatcher({
    store,
    queue: "q",
    consumer: consumer as unknown as PaymentConsumer,
    intervalMs: 20,
  }).start();

describe("PipelineStateWatcher (stored pause/resume/prefetch)", () => {
  it("resumes a held consumer when nothing is stored; follows later changes by re-reading alone", async () => {
    const store = openSqliteStore(join(dir, "a.db"));
    const { consumer, calls } = fakeConsumer(100);
    const watcher = watch(store.pipeline, consumer);
    try {
      await waitUntil(() => calls.includes("resume"), "the first read");
      assert.deepEqual(calls, ["resume"], "no state stored: the process's own PREFETCH, not paused");
      // Another process stores a change and announces nothing: the periodic re-read applies it.
      await store.pipeline.write("q", { paused: true, prefetch: 7 }, { at: 1, by: "ops" });
      await waitUntil(() => consumer.stats.paused && consumer.stats.prefetch === 7, "the re-read");
      assert.deepEqual(calls.slice(1), ["prefetch:7", "pause:paused by an operator (ops)"]);
      await store.pipeline.write("q", { paused: false }, { at: 2, by: "ops" });
      await waitUntil(() => !consumer.stats.paused, "the resume");
      assert.equal(watcher.applied?.version, 2);
    } finally {
      watcher.stop();
      await store.close();
    }
  });

  it("keeps a consumer started while paused paused", async () => {
    const store = openSqliteStore(join(dir, "b.db"));
    await store.pipeline.write("q", { paused: true }, { at: 1, by: null });
    const { consumer, calls } = fakeConsumer(100);
    const watcher = watch(store.pipeline, consumer);
    try {
      await waitUntil(() => watcher.loaded, "the first read");
      await watcher.refresh();
      assert.equal(consumer.stats.paused, true);
      assert.ok(!calls.includes("resume"), `told: ${calls.join(", ")}`);
    } finally {
      watcher.stop();
      await store.close();
    }
  });

  it("pauses once for one reason: the consumer's own status moving on while paused calls for nothing more", async () => {
    const store = openSqliteStore(join(dir, "c.db"));
    await store.pipeline.write("q", { paused: true }, { at: 1, by: "ops" });
    const { consumer, calls } = fakeConsumer(100);
    const watcher = watch(store.pipeline, consumer);
    try {
      await waitUntil(() => calls.length > 0, "the first read");
      // Its channel is lost and comes back while paused: the status reads "reconnecting" for a while.
      consumer.setReason("reconnecting: broker: connection refused");
      for (let i = 0; i < 5; i++) await watcher.refresh();
      assert.deepEqual(calls, ["pause:paused by an operator (ops)"]);
    } finally {
      watcher.stop();
      await store.close();
    }
  });
});
