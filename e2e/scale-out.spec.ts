import { rmSync } from "node:fs";
import { join } from "node:path";
import amqp from "amqplib";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { reachable } from "../scripts/lib/net.mjs";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../test/helpers/pg-database";
import { expect, test, unique } from "./fixtures";
import { e2ePort } from "./private-warren";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
// Two instances of their own beside the run's E2E_PORT server (which stays on SQLite for the other specs).
const [portA, portB] = (process.env.E2E_SCALE_PORTS ?? `${e2ePort() + 10},${e2ePort() + 20}`).split(",").map(Number);

/**
 * Two `next start` instances of the production build over one PostgreSQL database and the
 * real broker, as behind a load balancer: an order placed in a browser on instance A (whose
 * process pays it) shows as paid on instance B's page, live, whichever process recorded it.
 */
test.describe("two instances over one PostgreSQL database", () => {
  test.skip(PG_SKIP !== false, PG_SKIP || "");
  const queue = `e2e.scale.${process.env.E2E_RUN_ID ?? Date.now()}.order_queue`;
  let database: TestDatabase | null = null;
  const servers: WarrenProcess[] = [];

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    for (const port of [portA, portB]) {
      if (await reachable("127.0.0.1", port as number, 500)) {
        throw new Error(`port ${port} is taken: set E2E_SCALE_PORTS=a,b`);
      }
    }
    database = await createTestDatabase("warren_e2escale");
    const env = (name: string) => ({
      amqpUrl: AMQP_URL,
      dbPath: join("data", `e2e-scale-${name}-unused.db`),
      queue,
      extra: { DATABASE_URL: database?.url() ?? "", WARREN_PIPELINE_POLL_MS: "1000" },
    });
    // A pays (its consumer is on); B only serves pages and live streams.
    servers.push(await startWeb("scale-a", env("a"), portA as number, true));
    servers.push(await startWeb("scale-b", env("b"), portB as number, false));
  });

  test.afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteQueue(`${queue}.dlq`).catch(() => {});
    await connection.close();
    await database?.drop();
    for (const name of ["a", "b"]) rmSync(join("data", `e2e-scale-${name}-unused.db`), { force: true });
  });

  test("an order placed on instance A shows as paid on instance B's page", async ({ browser }) => {
    const context = await browser.newContext();
    try {
      const onB = await context.newPage();
      await onB.goto(`http://127.0.0.1:${portB}/`);
      await expect(onB.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");

      const onA = await context.newPage();
      await onA.goto(`http://127.0.0.1:${portA}/`);
      const item = unique("scale-book");
      await onA.getByLabel("Item").fill(item);
      await onA.getByLabel("Quantity").fill("3");
      await onA.getByRole("button", { name: "Place order" }).click();
      await expect(onA.getByTestId("order-status")).toHaveAttribute("data-status", "paid");

      const row = onB.getByTestId("payment-row").filter({ hasText: item });
      await expect(row).toBeVisible();
      await expect(row).toContainText("3");
      // B's own answer agrees: the payment is in the database both read.
      const totals = await (await fetch(`http://127.0.0.1:${portB}/api/payments`)).json();
      expect(totals.payments.some((p: { item: string }) => p.item === item)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
