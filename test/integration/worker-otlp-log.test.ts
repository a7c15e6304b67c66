import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startWorkerProcess } from "../helpers/child-process";
import { waitFor } from "./harness";

/**
 * `npm run worker` says where it exports traces: an OTLP endpoint may carry a user, a password
 * (collectors behind Basic auth) or a token in its query, and logs are read by more people than
 * the secrets' owners. The worker runs as a real process; it needs no broker to print that line
 * (it points at a closed port, so nothing is declared anywhere), and is stopped once it has.
 */
describe("worker: the OTLP endpoint in its log", () => {
  const dir = mkdtempSync(join(tmpdir(), "warren-worker-otlp-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("shows scheme, host and path, never the user, password or query", async () => {
    const worker = startWorkerProcess({
      AMQP_URL: "amqp://guest:guest@127.0.0.1:9",
      ORDER_QUEUE: `test.worker-otlp.${process.pid}`,
      WARREN_DB_PATH: join(dir, "worker.db"),
      RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
      WORKER_METRICS_PORT: "0",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://alice:s3cret@127.0.0.1:9/otlp?token=t0ken",
    });
    try {
      await waitFor(
        () => worker.output().includes("exporting traces to"),
        30_000,
        "the worker to say where it exports traces",
      );
      const output = worker.output();
      const line = output.split("\n").find((l) => l.includes("exporting traces to")) ?? "";
      assert.match(line, /exporting traces to http:\/\/127\.0\.0\.1:9\/otlp as warren-worker/);
      for (const secret of ["alice", "s3cret", "t0ken"]) {
        assert.ok(!output.includes(secret), `the worker's output holds ${secret}: ${line}`);
      }
    } finally {
      await worker.stop();
    }
  });
});
