import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseEnv } from "../../lib/config/env";
import { findWarren } from "../../lib/process/current";
import { createWarren } from "../../lib/process/warren";
import { AMQP_URL, deleteQueueAndDlq, waitFor } from "./harness";

/**
 * The composition root on a real broker and a real SQLite file: a web
 * process starts every part it needs, and close() stops every one of them,
 * leaving no timer, connection or file handle behind.
 */
describe("createWarren (lib/process)", () => {
  const queue = `test.process.${process.pid}.${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "warren-process-"));
  after(async () => {
    await deleteQueueAndDlq(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The process's config on this suite's queue, with its store in `dir`/`db`. */
  const configOn = (db: string) =>
    parseEnv({
      AMQP_URL,
      ORDER_QUEUE: queue,
      WARREN_DB_PATH: join(dir, db),
      // Never set policies on the shared broker from a test.
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
    });

  /** Intervals started and not cleared since `track()` (the parts' timers are unref'd, so Node does not list them). */
  function trackIntervals() {
    const live = new Set<unknown>();
    const realSet = globalThis.setInterval;
    const realClear = globalThis.clearInterval;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const timer = realSet(...args);
      live.add(timer);
      return timer;
    }) as typeof setInterval;
    globalThis.clearInterval = ((timer: Parameters<typeof clearInterval>[0]) => {
      live.delete(timer);
      realClear(timer);
    }) as typeof clearInterval;
    return {
      live,
      restore() {
        globalThis.setInterval = realSet;
        globalThis.clearInterval = realClear;
      },
    };
  }

  it("builds a web process, holds it in the one slot, and close() stops every part", async () => {
    const config = configOn("warren.db");
    const intervals = trackIntervals();
    const lines: string[] = [];
    const warren = createWarren(config, "web", { log: (line) => lines.push(line) });
    assert.equal(findWarren(), warren);
    assert.throws(() => createWarren(config, "web", { log: () => {} }), /already running/);
    assert.ok(warren.consumer && warren.outbox && warren.live && warren.queueTools);
    const consumer = warren.consumer;
    await waitFor(() => consumer.stats.running && warren.publisher.ready, 10_000, "the consumer and publisher");
    await waitFor(() => warren.live?.sampler.latest()?.broker === "up", 10_000, "a first sample");
    assert.ok(intervals.live.size > 0, "the parts run timers");

    await warren.close();
    intervals.restore();
    assert.equal(findWarren(), null, "the slot is free again");
    assert.equal(consumer.stats.running, false);
    assert.equal(warren.db?.open, false, "the store is closed");
    assert.equal(intervals.live.size, 0, "no timer of any part is left running");
    assert.match(lines.at(-1) ?? "", /web stopped: every part closed/);
    assert.equal(lines.filter((line) => /could not stop/.test(line)).length, 0, lines.join("\n"));
  });

  it("builds a worker with only what paying needs", async () => {
    const config = configOn("worker.db");
    const warren = createWarren(config, "worker", { log: () => {} });
    try {
      assert.ok(warren.consumer);
      assert.equal(warren.outbox, null);
      assert.equal(warren.live, null);
      assert.equal(warren.queueTools, null);
      assert.equal(warren.streams, null);
    } finally {
      await warren.close();
    }
  });
});
