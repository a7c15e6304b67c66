import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { privateBrokerSkipReason } from "../../scripts/chaos/private-broker";
import { restartCycles } from "../../scripts/chaos/restart-cycles";
import { privateChaosBroker } from "./private-warren";

/**
 * The short form of `npm run chaos -- cycles` (20+ cycles there): broker
 * restarts in a row on a private node with varied timing (plain, after
 * close_all_connections, during the reconnect, during the setup, a connection
 * lost exactly at the end of the setup, no pause),
 * under load, Warren's outbox in this process and a real `npm run worker`.
 * Every cycle must reconnect and pay a fresh order; nothing accepted is lost.
 */
describe("chaos: repeated broker restarts (private RabbitMQ node)", {
  timeout: 300_000,
  skip: privateBrokerSkipReason(),
}, () => {
  const node = privateChaosBroker();

  it("6 restart cycles: each reconnects and pays a fresh order; nothing lost", async () => {
    const result = await restartCycles(node.scenario({ log: (line) => console.log(line) }), 6);
    const failed = result.cycles.filter((c) => !c.ok);
    assert.deepEqual(
      failed.map((c) => `cycle ${c.cycle} (${c.variant})`),
      [],
      result.notes.concat(result.problems).join("; "),
    );
    assert.equal(result.cycles.length, 6);
    assert.equal(result.lost, 0, result.problems.join("; "));
    assert.equal(result.duplicated, 0);
    assert.deepEqual(result.problems, []);
  });
});
