import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PrivateBroker } from "../../scripts/chaos/private-broker";
import {
  closeAllConnections,
  consumerCrash,
  type ScenarioContext,
  type ScenarioResult,
  workerSigterm,
} from "../../scripts/chaos/scenarios";

/**
 * The fast chaos scenarios of `npm run chaos`, on a private RabbitMQ node
 * that this file starts and always stops (never the shared one on 5672).
 * They run in-process (Warren's outbox + relay here, real `npm run worker`
 * processes) so they need no production build.
 */
function assertNothingLost(result: ScenarioResult) {
  assert.ok(result.accepted > 50, `enough orders were accepted to mean something (${result.accepted})`);
  assert.equal(result.lost, 0, `lost orders: ${result.problems.join("; ")}`);
  assert.equal(result.duplicated, 0, "duplicate payments");
  assert.equal(result.paid, result.accepted);
  assert.deepEqual(result.problems, []);
}

describe("chaos: broker connections and consumers (private RabbitMQ node)", { timeout: 150_000 }, () => {
  const broker = new PrivateBroker({ port: Number(process.env.CHAOS_AMQP_PORT ?? 5673) });
  let ctx: ScenarioContext;
  before(async () => {
    const workdir = join(process.cwd(), "data", "chaos");
    mkdirSync(workdir, { recursive: true });
    await broker.start();
    ctx = { broker, mode: "in-process", port: 0, workdir };
  });
  after(async () => {
    await broker.stop();
  });

  it("close_all_connections under load: Warren reconnects by itself and every accepted order is paid once", async () => {
    const result = await closeAllConnections(ctx);
    assertNothingLost(result);
    assert.ok(result.recoverMs !== null && result.recoverMs !== undefined && result.recoverMs < 5000);
  });

  it("kill -9 of a worker holding unacked deliveries: the other worker pays them, once", async () => {
    const result = await consumerCrash(ctx);
    assertNothingLost(result);
    assert.ok(
      result.notes.some((n) => /^[1-9]\d* redelivered/.test(n)),
      result.notes.join("; "),
    );
  });

  it("SIGTERM of a worker mid-stream: it exits cleanly and nothing is lost", async () => {
    const result = await workerSigterm(ctx);
    assertNothingLost(result);
    assert.ok(
      result.notes.some((n) => /exited with code 0/.test(n)),
      result.notes.join("; "),
    );
  });
});
