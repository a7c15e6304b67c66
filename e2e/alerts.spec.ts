import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { axeEverywhere, pageWidths } from "./axe";
import { expect, needsManagement, signInAsOperator, test } from "./fixtures";

interface Overview {
  firing: Array<{ key: string; summary: string }>;
  history: Array<{ key: string; resolvedAt: number | null }>;
}

/**
 * Alerts on the e2e server: paused consumers and ready orders make "a queue with messages and no
 * consumers" fire (evaluated by the server's one alerts leader), shown at /alerts and on every page's
 * banner, live; resuming resolves it. A dead letter with an app_id shows who sent it on the workbench.
 */
test.describe("alerts", () => {
  test("a firing alert on /alerts and on another page's banner, resolved after resume; who sends bad messages", async ({
    page,
    context,
    broker,
    request,
    baseURL,
  }) => {
    test.setTimeout(90_000);
    await needsManagement();
    await signInAsOperator(context, baseURL);
    const key = `queue-idle:${broker.queue}`;
    const firingKeys = async () =>
      ((await (await page.request.get("/api/alerts")).json()) as Overview).firing.map((i) => i.key);

    // Who sends: a bad message from a named producer, dead-lettered by the server's consumer.
    const app = `e2e-shop-${randomUUID().slice(0, 6)}`;
    await broker.sendRaw("this is not json", { appId: app, userId: "guest" });
    await expect
      .poll(
        async () => {
          const report = (await (await request.get("/api/dead-letters/senders")).json()) as {
            groups: Array<{ senders: Array<{ appId: string | null; userId: string | null }> }>;
          };
          return report.groups.some((g) => g.senders.some((s) => s.appId === app && s.userId === "guest"));
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.goto("/dead-letters");
    const sender = page.locator(`[data-testid="sender"][data-app-id="${app}"]`);
    await expect(sender).toBeVisible();
    await expect(sender).toContainText("user_id guest");
    await page.getByTestId("dead-letter-senders").screenshot({ path: "docs/dead-letter-senders.png" });

    const paused = await page.request.post("/api/broker/consumers", { data: { command: "pause" } });
    expect(paused.status()).toBe(202);
    try {
      await expect.poll(async () => (await broker.channel.checkQueue(broker.queue)).consumerCount).toBe(0);
      for (let i = 0; i < 3; i++) {
        await broker.sendRaw(JSON.stringify({ orderId: randomUUID(), item: "alert-book", quantity: 1 }));
      }
      await expect.poll(firingKeys, { timeout: 30_000 }).toContain(key);

      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto("/alerts");
      const card = page.locator(`[data-testid="alert-firing"][data-key="${key}"]`);
      await expect(card).toBeVisible();
      await expect(card).toContainText("no consumer");
      await expect(page.getByTestId("alert-history-row").first()).toBeVisible();
      await page.screenshot({ path: "docs/alerts.png", fullPage: true });

      // Another page: the banner, live over the tab's one stream.
      await page.goto("/queues");
      await expect(page.getByTestId("alerts-banner")).toContainText(`ready in ${broker.queue} and no consumer`);
      await page.getByTestId("alerts-banner").getByRole("link", { name: "See alerts" }).click();
      await expect(page).toHaveURL(/\/alerts$/);

      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto("/alerts");
      await expect(card).toBeVisible();
      const widths = await pageWidths(page);
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
      await page.screenshot({ path: "docs/alerts-phone.png", fullPage: true });
      const open = async (p: Page) => {
        await p.goto("/alerts");
        await expect(p.locator(`[data-testid="alert-firing"][data-key="${key}"]`)).toBeVisible();
      };
      expect(await axeEverywhere(page, () => open(page))).toEqual([]);
    } finally {
      await page.request.post("/api/broker/consumers", { data: { command: "resume" } });
    }
    // Resumed and drained: the alert resolves, and the banner goes away without a reload.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/queues");
    await expect.poll(firingKeys, { timeout: 30_000 }).not.toContain(key);
    await expect(page.getByTestId("alerts-banner")).toHaveCount(0, { timeout: 15_000 });
    const overview = (await (await page.request.get("/api/alerts")).json()) as Overview;
    expect(overview.history.find((i) => i.key === key)?.resolvedAt).toEqual(expect.any(Number));
  });
});
