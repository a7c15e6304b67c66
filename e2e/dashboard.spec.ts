import { expect, paymentTotals, test, unique } from "./fixtures";

test.describe("the dashboard", () => {
  test("an order placed in the form shows up paid in the live feed without a reload", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
    // A marker that a reload would wipe.
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });
    const item = unique("e2e-book");
    await page.getByLabel("Item").fill(item);
    await page.getByLabel("Quantity").fill("2");
    const started = Date.now();
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toContainText(/placed|paid/);
    const row = page.getByTestId("payment-row").filter({ hasText: item });
    await expect(row).toBeVisible();
    test.info().annotations.push({ type: "click→paid in feed (ms)", description: String(Date.now() - started) });
    await expect(row).toContainText("2");
    await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "paid");
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  });

  test("a bad input shows an inline error and publishes nothing", async ({ page, request, broker }) => {
    await page.goto("/");
    const before = await paymentTotals(request);
    const dlqBefore = await broker.depth(broker.dlq);

    await page.getByLabel("Item").fill("   ");
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByText("Item is required")).toBeVisible();
    await expect(page.getByLabel("Item")).toHaveAttribute("aria-invalid", "true");

    await page.getByLabel("Item").fill("book");
    await page.getByLabel("Quantity").fill("0");
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByText("Quantity must be at least 1")).toBeVisible();

    // A sentinel instead of a wait: a good order placed after the refused ones. Once it is paid,
    // anything published before it would have been paid or dead-lettered too.
    await page.getByLabel("Quantity").fill("1");
    await page.getByLabel("Item").fill("sentinel-after-refusals");
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "paid");
    expect(await paymentTotals(request)).toBe(before + 1);
    expect(await broker.depth(broker.queue)).toBe(0);
    expect(await broker.depth(broker.dlq)).toBe(dlqBefore);
  });

  test("the queue cards update live: a poison message moves the DLQ card", async ({ page, broker }) => {
    await page.goto("/");
    const dlqCard = page.getByTestId(`queue-card-${broker.dlq}`);
    const workCard = page.getByTestId(`queue-card-${broker.queue}`);
    await expect(workCard.getByTestId("consumers")).toHaveText("1");
    const before = Number(await dlqCard.getByTestId("ready").textContent());
    await broker.sendRaw("{not json", { messageId: unique("poison") });
    await expect(dlqCard.getByTestId("ready")).toHaveText(String(before + 1));
    expect(await broker.depth(broker.dlq)).toBe(before + 1);
  });

  test("the page is keyboard usable: tab to the form and submit with Enter", async ({ page }) => {
    await page.goto("/");
    const item = unique("kbd-pen");
    await page.keyboard.press("Tab"); // skip link, past the site navigation
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Item")).toBeFocused();
    await page.keyboard.type(item);
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("payment-row").filter({ hasText: item })).toBeVisible();
  });

  test("dashboard screenshot (docs/dashboard.png when WARREN_SCREENSHOT=1)", async ({ page, broker }) => {
    await page.goto("/");
    for (const [item, quantity] of [
      ["book", "1"],
      ["coffee", "3"],
      ["notebook", "2"],
    ] as const) {
      await page.getByLabel("Item").fill(item);
      await page.getByLabel("Quantity").fill(quantity);
      await page.getByRole("button", { name: "Place order" }).click();
      await expect(page.getByTestId("order-status")).toContainText(/placed|paid/);
    }
    await broker.sendRaw('{"orderId": 1711111111111, "item": "book"}');
    await expect(page.getByTestId("payment-row").filter({ hasText: "1711111111111" })).toBeVisible();
    // Let the sparklines draw a few samples, for the picture in docs/ (not needed for the check).
    if (process.env.WARREN_SCREENSHOT) await page.waitForTimeout(2500);
    const path = process.env.WARREN_SCREENSHOT ? "docs/dashboard.png" : test.info().outputPath("dashboard.png");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path, fullPage: true });
  });
});

test.describe("what a screen reader hears", () => {
  test("payments are announced politely and in summary: a burst of 20 is one announcement, not 20", async ({
    page,
    request,
  }) => {
    test.setTimeout(60_000);
    await page.goto("/");
    await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
    const region = page.getByTestId("payments-announcement");
    await expect(region).toHaveAttribute("aria-live", "polite");
    // Every text the live region takes, in order.
    await region.evaluate((node) => {
      const said: string[] = [];
      (window as unknown as { __said: string[] }).__said = said;
      new MutationObserver(() => said.push(node.textContent ?? "")).observe(node, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const said = () => page.evaluate(() => (window as unknown as { __said: string[] }).__said.filter(Boolean));

    const first = unique("said-one");
    expect((await request.post("/api/orders", { data: { item: first } })).status()).toBe(202);
    await expect.poll(said).toEqual([`1 new payment recorded. Latest: ${first} × 1.`]);

    const before = await paymentTotals(request);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => request.post("/api/orders", { data: { item: unique(`said-burst-${i}`) } })),
    );
    await expect.poll(() => paymentTotals(request)).toBe(before + 20);
    // The summary comes once the quiet period after the first announcement is over.
    await expect.poll(said, { timeout: 15_000 }).toHaveLength(2);
    expect((await said())[1]).toMatch(/^20 new payments recorded\. Latest: said-burst-\d+-\w+ × 1\.$/);
  });
});

test("one EventSource per tab: the dashboard and the workbench each open one stream, shared by every live part", async ({
  page,
  broker,
}) => {
  const streams: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "eventsource") streams.push(new URL(request.url()).pathname);
  });
  await page.goto("/");
  await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
  // The cards, the health panel, the feed and the announcer are all live by now.
  await expect(page.getByTestId("health-placed")).toBeVisible();
  expect(streams).toEqual(["/api/events"]);
  streams.length = 0;
  await page.goto(`/dead-letters?queue=${encodeURIComponent(broker.dlq)}`);
  await expect(page.getByTestId("dlq-depth")).toBeVisible();
  await expect.poll(() => streams).toEqual(["/api/events"]);
});

test.describe("the order form without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("posts itself to the same action and the page answers with the order's status", async ({ page, request }) => {
    const before = await paymentTotals(request);
    await page.goto("/");
    await page.getByLabel("Item").fill(unique("nojs-mug"));
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toContainText(/placed|paid/);
    await expect.poll(() => paymentTotals(request)).toBe(before + 1);
  });
});
