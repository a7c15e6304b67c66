import { axeEverywhere, pageWidths } from "./axe";
import { expect, test, unique } from "./fixtures";

/** Where the time goes and the cost of exactly-once: values after an order is paid, readable at 390 px, clean under axe. */
test.describe("latency and cost-of-exactly-once panels", () => {
  test("show per-hop percentiles once an order is paid, and a client retry in its cause", async ({ page, request }) => {
    test.setTimeout(75_000);
    await page.goto("/");
    const latency = page.getByTestId("latency");
    await expect(latency.getByRole("heading", { name: "Where the time goes" })).toBeVisible();

    await page.getByLabel("Item").fill(unique("e2e-latency"));
    await page.getByRole("button", { name: "Place order" }).click();
    // The panel refreshes every 5 s; the hop observer and the ack times settle within a second or two.
    const total = latency.getByTestId("latency-hop-total");
    await expect(total).toBeVisible({ timeout: 20_000 });
    await expect
      .poll(async () => Number(await total.getAttribute("data-count")), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    const cells = total.getByRole("cell");
    await expect(cells.first()).toHaveText(/\d+(\.\d+)? (ms|s)/);
    // The histogram has a text alternative naming the hop and its percentiles.
    await expect(total.getByRole("img")).toHaveAttribute("aria-label", /whole order .* p50 \d/);
    await latency.getByRole("button", { name: "last hour" }).click();
    await expect(latency.getByRole("button", { name: "last hour" })).toHaveAttribute("aria-pressed", "true");
    // The hour's answer is reused for up to 10 s per process (its read is the dearest): it catches up.
    await expect
      .poll(
        async () =>
          Number(
            await latency
              .getByTestId("latency-hop-total")
              .getAttribute("data-count", { timeout: 1000 })
              .catch(() => 0),
          ),
        { timeout: 25_000 },
      )
      .toBeGreaterThanOrEqual(1);

    // A client retry (same Idempotency-Key, same body): absorbed at the door, counted by cause.
    const key = crypto.randomUUID();
    const body = { item: unique("e2e-retry"), quantity: 1 };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request.post("/api/orders", { headers: { "idempotency-key": key }, data: body });
      expect(res.status()).toBe(202);
      ids.push(((await res.json()) as { orderId: string }).orderId);
    }
    expect(ids[1]).toBe(ids[0]);
    const retries = page.getByTestId("cost-client_retry");
    await expect
      .poll(async () => Number(await retries.getAttribute("data-hour")), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId("cost").getByRole("img")).toHaveAttribute("aria-label", /client retry/);

    // The order's trace shows the absorbed retry as its own hop.
    await page.goto(`/trace?order=${ids[0]}`);
    await expect(page.locator('[data-kind="client-retry"]')).toHaveCount(1);
    await expect(page.locator('[data-kind="client-retry"]')).toContainText("client retry absorbed");
  });

  test("fit 390 px, pass axe in light and dark, and are pictured in docs/", async ({ page }) => {
    const open = async () => {
      await page.goto("/");
      await expect(page.getByTestId("latency").getByTestId("latency-hop-total")).toBeVisible({ timeout: 20_000 });
      await expect(page.getByTestId("cost").getByRole("table")).toBeVisible();
    };
    expect(await axeEverywhere(page, open)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
    await open();
    await page.getByTestId("latency").screenshot({ path: "docs/latency-panel.png" });
    await page.getByTestId("cost").screenshot({ path: "docs/cost-panel.png" });
    await page.setViewportSize({ width: 390, height: 844 });
    await open();
    const widths = await pageWidths(page);
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
  });
});
