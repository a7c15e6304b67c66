import { readdirSync, rmSync } from "node:fs";
import amqp from "amqplib";

/** Starts every run from empty queues and removes ledgers of earlier runs. */
export default async function globalSetup() {
  const queue = process.env.E2E_QUEUE;
  if (!queue) throw new Error("E2E_QUEUE is not set");
  const connection = await amqp.connect(process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672");
  try {
    const channel = await connection.createChannel();
    for (const name of [queue, `${queue}.dlq`]) {
      await channel.assertQueue(name, { durable: true });
      await channel.purgeQueue(name);
    }
  } finally {
    await connection.close();
  }
  const current = `e2e-${process.env.E2E_RUN_ID}.db`;
  try {
    for (const file of readdirSync("data")) {
      if (file.startsWith("e2e-") && !file.startsWith(current)) rmSync(`data/${file}`, { force: true });
    }
  } catch {
    // no data/ folder yet
  }
}
