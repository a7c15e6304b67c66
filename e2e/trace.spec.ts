import { expect, test, unique } from "./fixtures";

test.describe("the order trace", () => {
  test("shows an order's hops: placed, confirmed, delivered, paid, acked — with latencies", async ({ page }) => {
    await page.goto("/");
    const item = unique("e2e-trace");
    await page.getByLabel("Item").fill(item);
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("payment-row").filter({ hasText: item })).toBeVisible();

    await page.goto("/trace");
    await page.getByLabel("Order id or item").fill(item);
    await page.getByRole("button", { name: "Search" }).click();
    const result = page.getByTestId("trace-result").filter({ hasText: item });
    await expect(result).toHaveCount(1);
    await expect(result).toContainText("paid");
    await result.getByRole("link").click();

    const timeline = page.getByTestId("order-timeline");
    await expect(timeline).toBeVisible();
    // The ack time is written a moment after the ack; reload until it is there.
    await expect(async () => {
      await page.reload();
      await expect(timeline.locator('[data-kind="acked"]')).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 8000 });
    const kinds = await timeline.getByTestId("hop").evaluateAll((hops) => hops.map((h) => h.getAttribute("data-kind")));
    // Time order; the publisher's confirm races the delivery, so it may come anywhere after "placed".
    expect(kinds.filter((k) => k !== "confirmed")).toEqual(["placed", "delivered", "paid", "acked"]);
    expect(kinds.indexOf("confirmed")).toBeGreaterThan(0);
    await expect(timeline.getByTestId("trace-status")).toHaveText("paid");
    // Every hop after the first has a latency.
    const latencies = await timeline.getByTestId("hop-latency").allTextContents();
    expect(latencies[0]).toBe("");
    for (const latency of latencies.slice(1)) expect(latency).toMatch(/^\+\d+(\.\d+)? m?s$/);
  });

  test("a duplicate delivery shows as suppressed by the idempotency rule", async ({ page, request, broker }) => {
    const orderId = unique("e2e-dup");
    const body = JSON.stringify({ orderId, item: "tea", quantity: 1 });
    await broker.sendRaw(body, { messageId: orderId });
    await expect
      .poll(async () => {
        const res = await request.get("/api/payments");
        return ((await res.json()) as { payments: { orderId: string }[] }).payments.some((p) => p.orderId === orderId);
      })
      .toBe(true);
    await broker.sendRaw(body, { messageId: orderId });

    await expect(async () => {
      await page.goto(`/trace?order=${encodeURIComponent(orderId)}`);
      await expect(page.getByTestId("trace-duplicates")).toContainText("1 duplicate delivery was suppressed", {
        timeout: 1000,
      });
    }).toPass({ timeout: 8000 });
    const timeline = page.getByTestId("order-timeline");
    await expect(timeline.locator('[data-kind="paid"]')).toHaveCount(1);
    await expect(timeline.locator('[data-kind="duplicate"]')).toHaveCount(1);
    await expect(timeline.locator('[data-kind="delivered"]')).toHaveCount(2);

    await page.goto("/trace?status=duplicates");
    await expect(page.getByTestId("trace-result").filter({ hasText: orderId })).toBeVisible();
  });

  test("an unknown order says so, and a search with no match shows an empty state", async ({ page }) => {
    await page.goto("/trace?order=no-such-order");
    await expect(page.getByTestId("trace-not-found")).toContainText("no-such-order");
    await page.goto(`/trace?q=${unique("nothing-matches")}`);
    await expect(page.getByTestId("trace-empty")).toHaveText("No order matches.");
  });
});
