import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AlertEvaluator } from "../../lib/alerts/evaluator";
import { parseWebhooks } from "../../lib/alerts/webhooks";
import type { BooksReport } from "../../lib/books/books";
import { openSqliteStore } from "../../lib/store/sqlite";
import { alertEvaluatorOptions } from "../helpers/alert-evaluator";

const dir = mkdtempSync(join(tmpdir(), "warren-alert-evaluator-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const unbalanced: BooksReport = {
  at: 0,
  accepted: 1,
  outbox: 0,
  queue: 0,
  inFlight: 0,
  waiting: 1,
  paid: 0,
  deadLettered: 0,
  paidTwice: [],
  difference: 1,
  balanced: false,
  lost: [],
  catchingUp: false,
  backlog: null,
};

describe("alert evaluator (real SQLite store, a real webhook that never answers)", () => {
  it("stop() cuts a webhook call in flight short instead of waiting out its timeout", async () => {
    // A webhook that takes the request and never answers: the round hangs in its call.
    const held: ServerResponse[] = [];
    let called: () => void = () => {};
    const calledOnce = new Promise<void>((resolve) => {
      called = resolve;
    });
    const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
      held.push(response);
      called();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const store = openSqliteStore(join(dir, "stop.db"));
    const logs: string[] = [];
    const evaluator = new AlertEvaluator(
      alertEvaluatorOptions(store, {
        webhooks: parseWebhooks(`http://127.0.0.1:${port}/hook`),
        // Far longer than the stop may take.
        webhookTimeoutMs: 30_000,
        books: () => unbalanced,
        log: (m) => logs.push(m),
      }),
    );
    try {
      const round = evaluator.round();
      await calledOnce;
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        evaluator.stop().then(() => "stopped"),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 5_000, "still waiting");
        }),
      ]);
      clearTimeout(timer);
      assert.equal(stopped, "stopped", "stop() returns while the webhook still holds the call");
      assert.equal(await round, true, "the round ends (it led)");
      // The notification was not taken: it stays due, with the failed attempt, for the next leader.
      const [delivery] = await store.alerts.dueDeliveries(Date.now() + 60_000, 10);
      assert.equal(delivery?.attempts, 1);
      assert.ok(logs.some((l) => /failed \(attempt 1\)/.test(l)));
    } finally {
      for (const response of held) response.destroy();
      await evaluator.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    }
  });

  for (const failing of ["dead-letter sources", "absorbed duplicates"] as const) {
    it(`a prune of ${failing} that throws neither stops the round's change event nor the other prune`, async () => {
      const store = openSqliteStore(join(dir, `prune-${failing.split(" ")[0]}.db`));
      const pruned: string[] = [];
      const fail = async (): Promise<number> => {
        throw new Error("disk I/O error");
      };
      const note = (what: string) => async () => {
        pruned.push(what);
        return 0;
      };
      store.payments.pruneDeadLetterSources = failing === "dead-letter sources" ? fail : note("dead-letter sources");
      store.timing.pruneAbsorbed = failing === "absorbed duplicates" ? fail : note("absorbed duplicates");
      const logs: string[] = [];
      const evaluator = new AlertEvaluator(
        alertEvaluatorOptions(store, {
          leader: { check: async () => true, stop: async () => {} },
          // The books do not balance: the round opens an incident, a change the pages must hear of.
          books: () => unbalanced,
          log: (m) => logs.push(m),
        }),
      );
      let changes = 0;
      evaluator.on("changed", () => changes++);
      try {
        const led = await evaluator.round();
        assert.equal((await store.alerts.firing()).length, 1, "the round's incident is open");
        assert.equal(changes, 1, "the round's change event went out");
        const other = failing === "dead-letter sources" ? "absorbed duplicates" : "dead-letter sources";
        assert.deepEqual(pruned, [other], "the other prune ran");
        assert.equal(led, true, "the round led and ended well");
        assert.equal(evaluator.rounds, 1);
        assert.ok(
          logs.some((l) => l.includes(`pruning ${failing} failed`)),
          `the failure is logged: ${logs.join(" | ")}`,
        );
      } finally {
        await evaluator.stop();
        await store.close();
      }
    });
  }
});
