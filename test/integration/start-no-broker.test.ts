import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { spawnCaptured } from "../helpers/child-process";
import { closedPort } from "../helpers/ports";

const ROOT = resolve(import.meta.dirname, "../..");

// A port other than 5672, so start.mjs does not try to start the local RabbitMQ: it must explain
// how to get a broker and stop, not hang or start Next without one.
test("`npm start` with no broker prints how to start one and exits 1", { timeout: 30_000 }, async () => {
  // start.mjs runs `npm ci` first when the lock file is newer than node_modules: never from a test.
  const lock = statSync(resolve(ROOT, "package-lock.json")).mtimeMs;
  const installed = statSync(resolve(ROOT, "node_modules/.package-lock.json")).mtimeMs;
  assert.ok(installed >= lock, "package-lock.json is newer than node_modules: run npm ci first");
  const port = await closedPort();
  const start = spawnCaptured(["scripts/start.mjs"], {
    cwd: ROOT,
    env: { ...process.env, AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`, PORT: "3999" },
  });
  const code = await start.exited;
  const stdout = start.stdout();
  const stderr = start.stderr();
  assert.equal(code, 1, `exit code; stdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stderr, new RegExp(`No RabbitMQ is reachable at 127\\.0\\.0\\.1:${port}`));
  assert.ok(
    stderr.includes(`docker run -d --name warren-rabbitmq -p ${port}:5672 -p 15672:15672 rabbitmq:3-management`),
    stderr,
  );
  assert.match(stderr, /point AMQP_URL at yours/);
  assert.doesNotMatch(stdout, /building|starting on/, "nothing is built or served without a broker");
});
