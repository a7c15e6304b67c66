import { readdirSync, rmSync } from "node:fs";
import amqp from "amqplib";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";
const IDLE_EXPIRY_MS = 10 * 60 * 1000;

/** Starts every run from empty queues, lets old runs' queues expire, removes old runs' ledgers. */
export default async function globalSetup() {
  const queue = process.env.E2E_QUEUE;
  if (!queue) throw new Error("E2E_QUEUE is not set");
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const name of [queue, `${queue}.dlq`]) {
      await channel.assertQueue(name, { durable: true });
      await channel.purgeQueue(name);
    }
  } finally {
    await connection.close();
  }
  await expireIdleE2eQueues();
  const current = `e2e-${process.env.E2E_RUN_ID}.db`;
  try {
    for (const file of readdirSync("data")) {
      if (file.startsWith("e2e-") && !file.startsWith(current)) rmSync(`data/${file}`, { force: true });
    }
  } catch {
    // no data/ folder yet
  }
}

/** A policy, not queue arguments (Warren declares its queues without any): idle e2e queues go away. */
async function expireIdleE2eQueues() {
  const url = new URL(AMQP_URL);
  const auth = Buffer.from(
    `${decodeURIComponent(url.username || "guest")}:${decodeURIComponent(url.password || "guest")}`,
  );
  try {
    await fetch(`${MANAGEMENT_URL}/api/policies/%2F/warren-e2e-expiry`, {
      method: "PUT",
      headers: { authorization: `Basic ${auth.toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({
        pattern: "^e2e\\.",
        definition: { expires: IDLE_EXPIRY_MS },
        "apply-to": "queues",
        priority: 1,
      }),
      signal: AbortSignal.timeout(3000),
    });
  } catch {
    console.warn("[e2e] management API not reachable: queues of earlier runs are left on the broker");
  }
}
