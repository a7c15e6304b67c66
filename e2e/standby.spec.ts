import { rmSync } from "node:fs";
import { join } from "node:path";
import amqp from "amqplib";
import { SESSION_COOKIE } from "../lib/auth/session";
import { startWeb, startWorker, type WarrenProcess } from "../scripts/chaos/warren";
import { closedPort } from "../test/helpers/ports";
import { axeEverywhere, pageWidths } from "./axe";
import { expect, operatorToken, test } from "./fixtures";

/**
 * Consumer seats as an operator sees them: a worker holds the one seat of its pipeline on this
 * machine (WARREN_CONSUMERS_PER_HOST=1), so the web process's consumer stands by, and its queue page
 * says so; once the worker is killed, the page shows the web process consuming, and it pays.
 */
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const PASSWORD = "standby-operator-password";

test.describe("a consumer standing by for a seat", () => {
  const stamp = `${process.env.E2E_RUN_ID ?? Date.now()}`;
  const queue = `e2e.standby.${stamp}`;
  const dbPath = join("data", `e2e-standby-${stamp}.db`);
  let worker: WarrenProcess | null = null;
  let web: WarrenProcess | null = null;
  let base = "";

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const port = await closedPort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      amqpUrl: AMQP_URL,
      dbPath,
      queue,
      extra: { WARREN_CONSUMERS_PER_HOST: "1", WARREN_ADMIN_PASSWORD: PASSWORD },
    };
    // The worker first: it takes the seat and consumes; the web process then finds it taken.
    worker = await startWorker("standby-worker", env);
    web = await startWeb("standby-web", env, port, true, false);
  });

  test.afterAll(async () => {
    await Promise.all([worker?.stop(), web?.stop()]);
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const name of [queue, `${queue}.dlq`]) await channel.deleteQueue(name).catch(() => {});
    await connection.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  });

  test("the queue page says the web process stands by, then shows it consuming once the worker is killed", async ({
    browser,
  }) => {
    const context = await browser.newContext();
    await context.addCookies([
      {
        name: SESSION_COOKIE,
        value: await operatorToken(base, "admin", PASSWORD),
        url: base,
        httpOnly: true,
        sameSite: "Lax",
      },
    ]);
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const page = await context.newPage();
      await page.goto(`${base}/queues/${encodeURIComponent(queue)}`);
      await expect(page.getByTestId("consumer-state")).toHaveAttribute("data-state", "standing by");
      await expect(page.getByTestId("consumer-standby")).toContainText("every consumer seat of this machine");
      expect((await channel.checkQueue(queue)).consumerCount).toBe(1);

      // The standby's notice (a long reason) on phones: no sideways scroll, the notice inside the
      // screen, and no serious axe finding in light or dark, at desktop width and 390 px.
      const standingBy = async () => {
        await page.goto(`${base}/queues/${encodeURIComponent(queue)}`);
        await expect(page.getByTestId("consumer-standby")).toBeVisible();
      };
      for (const width of [360, 390, 430]) {
        await page.setViewportSize({ width, height: 844 });
        await standingBy();
        const { scrollWidth, clientWidth } = await pageWidths(page);
        expect(scrollWidth, `the queue page at ${width} px is ${scrollWidth} px wide`).toBeLessThanOrEqual(clientWidth);
        const box = await page.getByTestId("consumer-standby").boundingBox();
        expect(
          box && box.x >= 0 && box.x + box.width <= width,
          `the notice at ${width} px: ${JSON.stringify(box)}`,
        ).toBe(true);
        if (width === 390 && process.env.WARREN_SCREENSHOT === "1") {
          await page.getByTestId("consumer-standby").scrollIntoViewIfNeeded();
          await page.screenshot({ path: "docs/standby-390.png" });
        }
      }
      const found = await axeEverywhere(page, standingBy);
      expect(found, found.join("\n")).toEqual([]);
      await page.setViewportSize({ width: 1280, height: 900 });

      worker?.signal("SIGKILL");
      await worker?.exited;
      await expect(page.getByTestId("consumer-state")).toHaveAttribute("data-state", "consuming", {
        timeout: 15_000,
      });
      await expect(page.getByTestId("consumer-standby")).toHaveCount(0);

      // The web process pays now: an order sent straight to the queue is paid and listed.
      const orderId = `standby-${stamp}`;
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId, item: "standby-book" })), {
        persistent: true,
      });
      await channel.waitForConfirms();
      await expect
        .poll(
          async () => {
            const body = (await (await fetch(`${base}/api/payments`)).json()) as {
              payments: Array<{ orderId: string }>;
            };
            return body.payments.some((p) => p.orderId === orderId);
          },
          { timeout: 15_000 },
        )
        .toBe(true);
    } finally {
      await connection.close();
      await context.close();
    }
  });
});
