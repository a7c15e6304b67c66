import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LinkStatus } from "../../lib/amqp/link";
import { readiness } from "../../lib/health/readiness";
import { WAITING_FOR_STATE } from "../../lib/payments/pipeline-state";

const now = 1_000_000;
const up = (name: string): LinkStatus => ({
  name,
  state: "up",
  since: now - 60_000,
  lastError: null,
  failedAttempts: 0,
  attemptInFlight: false,
  nextAttemptAt: null,
});
const open = { state: "open" as const, since: now - 60_000, lastError: null };
const consuming = { state: "consuming" as const, since: now - 60_000, reason: null };
const healthy = {
  publishLink: up("publish"),
  consumeLink: up("consume"),
  publishChannel: open,
  consumer: consuming,
  unroutable: null,
  now,
};

describe("readiness", () => {
  it("is ready when it can publish and pay", () => {
    assert.deepEqual(readiness(healthy), { ready: true, notReady: [] });
  });

  it("is not ready while the broker is unreachable, with why and for how long", () => {
    const down: LinkStatus = { ...up("publish"), state: "down", since: now - 12_000, lastError: "ECONNREFUSED" };
    const state = readiness({ ...healthy, publishLink: down, consumeLink: { ...down, name: "consume" } });
    assert.equal(state.ready, false);
    assert.deepEqual(
      state.notReady.map((n) => [n.cannot, n.why, n.forMs]),
      [
        ["publish", "broker unreachable: ECONNREFUSED", 12_000],
        ["consume", "broker unreachable: ECONNREFUSED", 12_000],
      ],
    );
  });

  it("is not ready while the consumer reconnects, even with the connection up", () => {
    const state = readiness({
      ...healthy,
      consumer: { state: "reconnecting", since: now - 3000, reason: "consumer cancelled by the broker" },
    });
    assert.deepEqual(state.notReady, [
      {
        cannot: "consume",
        why: "consumer reconnecting: consumer cancelled by the broker",
        since: now - 3000,
        forMs: 3000,
      },
    ]);
  });

  it("says unroutable, not 'waiting for broker', when no queue is bound to orders", () => {
    const state = readiness({ ...healthy, unroutable: { at: now - 1000, exchange: "orders", routingKey: "q" } });
    assert.equal(state.ready, false);
    assert.equal(state.notReady[0]?.why, "unroutable: no queue bound to orders");
  });

  it("is not ready while the publish channel reopens", () => {
    const state = readiness({
      ...healthy,
      publishChannel: { state: "connecting", since: now - 500, lastError: "5 nacks in a row" },
    });
    assert.equal(state.notReady[0]?.why, "publish channel reopening: 5 nacks in a row");
  });

  it("an operator's pause keeps the process ready; no consumer in this process is not a fault", () => {
    assert.equal(readiness({ ...healthy, consumer: { state: "paused", since: now, reason: "paused" } }).ready, true);
    const down: LinkStatus = { ...up("consume"), state: "down", lastError: "x" };
    assert.equal(readiness({ ...healthy, consumer: null, consumeLink: down }).ready, true);
  });

  it("is not ready while the consumer waits for the stored pipeline state (the database has not answered)", () => {
    const state = readiness({
      ...healthy,
      consumer: { state: "paused", since: now - 7000, reason: WAITING_FOR_STATE },
    });
    assert.equal(state.ready, false);
    assert.deepEqual(
      state.notReady.map((n) => [n.cannot, n.forMs]),
      [["consume", 7000]],
    );
    assert.match(state.notReady[0]?.why ?? "", /waiting for the stored pipeline state/);
  });

  it("is not ready while the consumer's database is away, subscribed or not", () => {
    const storeUnavailable = { since: now - 30_000, error: "connect ECONNREFUSED 127.0.0.1:5432" };
    const state = readiness({ ...healthy, consumer: { ...consuming, storeUnavailable } });
    assert.equal(state.ready, false);
    assert.deepEqual(
      state.notReady.map((n) => [n.cannot, n.why, n.forMs]),
      [["consume", "database unavailable: connect ECONNREFUSED 127.0.0.1:5432", 30_000]],
    );
    assert.equal(readiness({ ...healthy, consumer: { ...consuming, storeUnavailable: null } }).ready, true);
  });

  it("is not ready, to publish or to pay, once its database can make nothing durable (until a restart)", () => {
    const storeLost = { why: "the WAL could not be synced (EIO): restart this process", since: now - 5000 };
    const state = readiness({ ...healthy, storeLost });
    assert.equal(state.ready, false);
    assert.deepEqual(
      state.notReady.map((n) => [n.cannot, n.forMs]),
      [
        ["publish", 5000],
        ["consume", 5000],
      ],
    );
    assert.match(state.notReady[0]?.why ?? "", /restart this process/);
    assert.deepEqual(
      readiness({ ...healthy, consumer: null, storeLost }).notReady.map((n) => n.cannot),
      ["publish"],
      "a web process that runs no consumer cannot take orders either",
    );
  });
});
