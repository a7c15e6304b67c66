import { expect, test } from "./fixtures";
import { e2ePort, setUpPrivateWarren } from "./private-warren";

/**
 * Issue 13 part 9 in the browser: a private RabbitMQ node whose statistics collection is off
 * (`management_agent.disable_metrics_collector = true`), and a Warren of its own on it. The queue
 * page and the queue list show rates derived from Warren's samples, and say so.
 */
const chaosPort = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
const { base, queue } = setUpPrivateWarren(Number(process.env.E2E_STATS_OFF_PORT ?? e2ePort() + 400), undefined, {
  managementPort: chaosPort + 10_000,
  extraConfig: ["management_agent.disable_metrics_collector = true"],
});

test("broker statistics off: the queue page and list show derived rates, labelled so", async ({ page }) => {
  test.setTimeout(90_000);
  let placed = 0;
  const trickle = setInterval(() => {
    placed++;
    void fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "stats-off-book", quantity: 1 }),
    }).catch(() => {});
  }, 100);
  try {
    await page.goto(`${base}/queues/${encodeURIComponent(queue)}`);
    await expect(page.getByTestId("source-publish")).toHaveText("derived from Warren's samples", { timeout: 30_000 });
    await expect(page.getByTestId("stat-publish")).not.toHaveText("—");
    await expect(page.getByTestId("rate-chart")).toContainText("Source: derived from Warren's samples");
    await page.goto(`${base}/queues`);
    const row = page.locator(`[data-testid="queue-row"][data-queue="${queue}"]`);
    await expect(row.locator('td[data-source="derived"]').first()).toBeVisible();
    await expect(page.getByTestId("derived-note")).toContainText("derived from Warren's samples");
    // On a phone the marked cells stay inside the table's scroll box: the page itself never scrolls sideways
    // (a screen-reader note in a far column once widened the page to 919 px).
    await page.setViewportSize({ width: 390, height: 900 });
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll, "the page scrolls sideways").toBeLessThanOrEqual(widths.client);
  } finally {
    clearInterval(trickle);
  }
  expect(placed).toBeGreaterThan(0);
});
